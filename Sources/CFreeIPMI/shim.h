#ifndef EXUP_CFREEIPMI_SHIM_H
#define EXUP_CFREEIPMI_SHIM_H
#include <freeipmi/freeipmi.h>
#include <stdio.h>
#include <string.h>

/* Swift cannot reach FreeIPMI's FIID templates or walk its fixed-size C structs comfortably: these helpers
   return plain strings. Each returns 0 on success, -1 with `error` filled. */

static inline void exup_ipmi_copy(char *dst, unsigned int dstlen, const char *src) {
    if (dstlen == 0) return;
    strncpy(dst, src ? src : "", dstlen - 1);
    dst[dstlen - 1] = 0;
}

/* FRU device 0: the product name (product info area) and the board product name (board info area),
   as FreeIPMI decodes them (ipmi-fru prints the same). Empty when the area is absent. */
static inline int exup_fru_names(ipmi_ctx_t ipmi, char *product, unsigned int productlen,
                                 char *board, unsigned int boardlen, char *error, unsigned int errorlen) {
    ipmi_fru_ctx_t fru = ipmi_fru_ctx_create(ipmi);
    int rc = -1;
    product[0] = 0; board[0] = 0;
    if (!fru) { exup_ipmi_copy(error, errorlen, "ipmi_fru_ctx_create: out of memory"); return -1; }
    if (ipmi_fru_open_device_id(fru, 0) < 0) {
        snprintf(error, errorlen, "ipmi_fru_open_device_id: %s", ipmi_fru_ctx_errormsg(fru));
        goto out;
    }
    if (ipmi_fru_first(fru) < 0) {
        snprintf(error, errorlen, "ipmi_fru_first: %s", ipmi_fru_ctx_errormsg(fru));
        goto close;
    }
    do {
        uint8_t buf[IPMI_FRU_AREA_SIZE_MAX + 1];
        unsigned int type = 0, length = 0;
        uint8_t language = 0;
        ipmi_fru_field_t a, b, c, d, e, f, g;
        uint32_t date;
        char text[IPMI_FRU_AREA_STRING_MAX + 1];
        unsigned int textlen;
        memset(buf, 0, sizeof(buf));
        if (ipmi_fru_read_data_area(fru, &type, &length, buf, IPMI_FRU_AREA_SIZE_MAX) < 0) {
            snprintf(error, errorlen, "ipmi_fru_read_data_area: %s", ipmi_fru_ctx_errormsg(fru));
            goto close;
        }
        memset(text, 0, sizeof(text));
        textlen = IPMI_FRU_AREA_STRING_MAX;
        if (type == IPMI_FRU_AREA_TYPE_PRODUCT_INFO_AREA) {
            if (ipmi_fru_product_info_area(fru, buf, length, &language, &a, &b, &c, &d, &e, &f, &g, NULL, 0) == 0
                && ipmi_fru_type_length_field_to_string(fru, b.type_length_field, b.type_length_field_length,
                                                        language, text, &textlen) == 0)
                exup_ipmi_copy(product, productlen, text);
        } else if (type == IPMI_FRU_AREA_TYPE_BOARD_INFO_AREA) {
            if (ipmi_fru_board_info_area(fru, buf, length, &language, &date, &a, &b, &c, &d, &e, NULL, 0) == 0
                && ipmi_fru_type_length_field_to_string(fru, b.type_length_field, b.type_length_field_length,
                                                        language, text, &textlen) == 0)
                exup_ipmi_copy(board, boardlen, text);
        }
    } while (ipmi_fru_next(fru) == 1);
    rc = 0;
close:
    ipmi_fru_close_device_id(fru);
out:
    ipmi_fru_ctx_destroy(fru);
    return rc;
}

/* Called by ipmi_sdr_cache_create; nothing to report. */
static void exup_sdr_cache_progress(uint8_t v, uint16_t c, uint32_t a, uint32_t e, void *d) {
    (void)v; (void)c; (void)a; (void)e; (void)d;
}

/* The SDR set version: the OEM data after `tag` in the first OEM record (C0h) that begins with it.
   The cache file is (re)created when missing, invalid or out of date. `found` is 0 when no record has it. */
static inline int exup_sdr_tagged_oem_text(ipmi_ctx_t ipmi, const char *cache_file, const char *tag,
                                           char *text, unsigned int textlen, int *found,
                                           char *error, unsigned int errorlen) {
    ipmi_sdr_ctx_t sdr = ipmi_sdr_ctx_create();
    int rc = -1;
    size_t taglen = strlen(tag);
    *found = 0; text[0] = 0;
    if (!sdr) { exup_ipmi_copy(error, errorlen, "ipmi_sdr_ctx_create: out of memory"); return -1; }
    if (ipmi_sdr_cache_open(sdr, ipmi, cache_file) < 0) {
        int err = ipmi_sdr_ctx_errnum(sdr);
        if (err != IPMI_SDR_ERR_CACHE_READ_CACHE_DOES_NOT_EXIST && err != IPMI_SDR_ERR_CACHE_INVALID
            && err != IPMI_SDR_ERR_CACHE_OUT_OF_DATE) {
            snprintf(error, errorlen, "ipmi_sdr_cache_open: %s", ipmi_sdr_ctx_errormsg(sdr));
            goto out;
        }
        ipmi_sdr_cache_delete(sdr, cache_file);
        if (ipmi_sdr_cache_create(sdr, ipmi, cache_file, IPMI_SDR_CACHE_CREATE_FLAGS_OVERWRITE,
                                  exup_sdr_cache_progress, NULL) < 0) {
            snprintf(error, errorlen, "ipmi_sdr_cache_create: %s", ipmi_sdr_ctx_errormsg(sdr));
            goto out;
        }
        if (ipmi_sdr_cache_open(sdr, ipmi, cache_file) < 0) {
            snprintf(error, errorlen, "ipmi_sdr_cache_open: %s", ipmi_sdr_ctx_errormsg(sdr));
            goto out;
        }
    }
    if (ipmi_sdr_cache_first(sdr) < 0) { rc = 0; goto close; }   /* an empty repository */
    do {
        uint8_t record[IPMI_SDR_MAX_RECORD_LENGTH];
        uint8_t oem[IPMI_SDR_MAX_RECORD_LENGTH];
        uint16_t id;
        uint8_t type;
        int len = ipmi_sdr_cache_record_read(sdr, record, sizeof(record));
        int oemlen;
        if (len < 0) continue;
        if (ipmi_sdr_parse_record_id_and_type(sdr, record, len, &id, &type) < 0 || type != IPMI_SDR_FORMAT_OEM_RECORD)
            continue;
        oemlen = ipmi_sdr_parse_oem_data(sdr, record, len, oem, sizeof(oem));
        if (oemlen >= (int)taglen && memcmp(oem, tag, taglen) == 0) {
            unsigned int n = (unsigned int)oemlen - (unsigned int)taglen;
            if (n >= textlen) n = textlen - 1;
            memcpy(text, oem + taglen, n);
            text[n] = 0;
            *found = 1;
            break;
        }
    } while (ipmi_sdr_cache_next(sdr) == 1);
    rc = 0;
close:
    ipmi_sdr_cache_close(sdr);
out:
    ipmi_sdr_ctx_destroy(sdr);
    return rc;
}
#endif
