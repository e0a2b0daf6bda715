/*
 * An ipmi_sim plugin for exup's tests (loaded with `loadlib` in lan.conf).
 *
 * Stock ipmi_sim does not answer Get System Info Parameters, and changes its firmware revision only by
 * restarting with a new .emu file. This plugin answers both commands from small state files, read on
 * every request, so that a test (or an update program in an end-to-end test) "flashes" the simulated
 * BMC by writing a file:
 *
 *   STATE/bmc-firmware      "MAJOR.MINOR[ AUX]", e.g. "2.15" or "2.15 01020304" (MINOR is BCD, as bmc-info prints it)
 *   STATE/system-firmware   the System Firmware Version string (BIOS version), e.g. "R120h-BIOS 4.2.1"
 *
 * initstr: "state=DIR devid=N devrev=N ipmi=0xVV support=0xSS mfg=N product=N"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <OpenIPMI/ipmi_msgbits.h>
#include <OpenIPMI/lanserv.h>
#include <OpenIPMI/mcserv.h>

static char state_dir[512] = ".";
static unsigned int dev_id = 0x20, dev_rev = 0x03, ipmi_version = 0x02, dev_support = 0x9f;
static unsigned int mfg_id = 0x0077, product_id = 0x1234;

static int read_state(const char *name, char *out, size_t size)
{
    char path[640];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", state_dir, name);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(out, 1, size - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

/* Get Device ID (NetFn App, 01h), IPMI 2.0 section 20.1, firmware revision from STATE/bmc-firmware. */
static void handle_get_device_id(lmc_data_t *mc, msg_t *msg, unsigned char *rdata,
                                 unsigned int *rdata_len, void *cb_data)
{
    char text[128];
    unsigned int major = 0, minor = 0, aux = 0;
    int have_aux = 0;

    (void)mc; (void)msg; (void)cb_data;
    if (read_state("bmc-firmware", text, sizeof(text)) == 0) {
        char *dot = strchr(text, '.');
        major = strtoul(text, NULL, 10);
        if (dot)
            minor = strtoul(dot + 1, NULL, 16);   /* "15" is BCD 0x15 */
        char *space = strchr(text, ' ');
        if (space) {
            aux = strtoul(space + 1, NULL, 16);
            have_aux = 1;
        }
    }
    rdata[0] = 0;
    rdata[1] = dev_id;
    rdata[2] = 0x80 | (dev_rev & 0x0f);           /* provides device SDRs */
    rdata[3] = major & 0x7f;                      /* device available */
    rdata[4] = minor & 0xff;
    rdata[5] = ipmi_version;
    rdata[6] = dev_support;
    rdata[7] = mfg_id & 0xff;
    rdata[8] = (mfg_id >> 8) & 0xff;
    rdata[9] = (mfg_id >> 16) & 0x0f;
    rdata[10] = product_id & 0xff;
    rdata[11] = (product_id >> 8) & 0xff;
    *rdata_len = 12;
    if (have_aux) {
        rdata[12] = (aux >> 24) & 0xff;
        rdata[13] = (aux >> 16) & 0xff;
        rdata[14] = (aux >> 8) & 0xff;
        rdata[15] = aux & 0xff;
        *rdata_len = 16;
    }
}

/* Get System Info Parameters (NetFn App, 59h), IPMI 2.0 section 22.14a; parameter 1 is the
   System Firmware Version: set 0 = [set, encoding, length, 14 bytes], set n = [set, 16 bytes]. */
static void handle_get_system_info(lmc_data_t *mc, msg_t *msg, unsigned char *rdata,
                                   unsigned int *rdata_len, void *cb_data)
{
    char version[256];
    unsigned int param, set, length, offset, count;

    (void)mc; (void)cb_data;
    if (msg->len < 4) {
        rdata[0] = 0xc7;                          /* request data length invalid */
        *rdata_len = 1;
        return;
    }
    param = msg->data[1];
    set = msg->data[2];
    rdata[0] = 0;
    rdata[1] = 0x11;                              /* parameter revision */
    if (msg->data[0] & 0x80) {                    /* revision only */
        *rdata_len = 2;
        return;
    }
    if (param != 1 || read_state("system-firmware", version, sizeof(version)) != 0) {
        rdata[0] = 0x80;                          /* parameter not supported */
        *rdata_len = 1;
        return;
    }
    length = strlen(version);
    if (set == 0) {
        count = length < 14 ? length : 14;
        rdata[2] = 0;
        rdata[3] = 0;                             /* ASCII+Latin1 */
        rdata[4] = length;
        memset(rdata + 5, 0, 14);
        memcpy(rdata + 5, version, count);
        *rdata_len = 19;
        return;
    }
    offset = 14 + (set - 1) * 16;
    if (offset >= length && set > 0 && offset > 14) {
        rdata[0] = 0xcc;                          /* invalid data field in request */
        *rdata_len = 1;
        return;
    }
    memset(rdata + 3, 0, 16);
    count = length > offset ? length - offset : 0;
    if (count > 16)
        count = 16;
    rdata[2] = set;
    memcpy(rdata + 3, version + offset, count);
    *rdata_len = 19;
}

int ipmi_sim_module_print_version(sys_data_t *sys, char *initstr)
{
    (void)sys; (void)initstr;
    printf("exup test plugin 1\n");
    return 0;
}

int ipmi_sim_module_init(sys_data_t *sys, const char *initstr_in)
{
    char *initstr = strdup(initstr_in ? initstr_in : "");
    char *token, *save = NULL;
    int rv;

    for (token = strtok_r(initstr, " \t", &save); token; token = strtok_r(NULL, " \t", &save)) {
        if (strncmp(token, "state=", 6) == 0)
            snprintf(state_dir, sizeof(state_dir), "%s", token + 6);
        else if (strncmp(token, "devid=", 6) == 0)
            dev_id = strtoul(token + 6, NULL, 0);
        else if (strncmp(token, "devrev=", 7) == 0)
            dev_rev = strtoul(token + 7, NULL, 0);
        else if (strncmp(token, "ipmi=", 5) == 0)
            ipmi_version = strtoul(token + 5, NULL, 0);
        else if (strncmp(token, "support=", 8) == 0)
            dev_support = strtoul(token + 8, NULL, 0);
        else if (strncmp(token, "mfg=", 4) == 0)
            mfg_id = strtoul(token + 4, NULL, 0);
        else if (strncmp(token, "product=", 8) == 0)
            product_id = strtoul(token + 8, NULL, 0);
    }
    free(initstr);
    rv = ipmi_emu_register_cmd_handler(IPMI_APP_NETFN, IPMI_GET_DEVICE_ID_CMD, handle_get_device_id, sys);
    if (!rv)
        rv = ipmi_emu_register_cmd_handler(IPMI_APP_NETFN, 0x59, handle_get_system_info, sys);
    if (rv)
        sys->log(sys, OS_ERROR, NULL, "exup plugin: cannot register handlers: %s", strerror(rv));
    return rv;
}
