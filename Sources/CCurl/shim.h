#ifndef EXUP_CCURL_SHIM_H
#define EXUP_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift needs one typed wrapper per argument type. */
static inline CURLcode exup_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode exup_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode exup_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode exup_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode exup_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*exup_curl_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode exup_curl_setopt_callback(CURL *h, CURLoption o, exup_curl_data_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode exup_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode exup_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

/* The CURLAUTH_* macros are unsigned-long casts Swift does not import. */
static inline unsigned long exup_curlauth_basic(void) { return CURLAUTH_BASIC; }
static inline unsigned long exup_curlauth_digest(void) { return CURLAUTH_DIGEST; }
static inline unsigned long exup_curlauth_any_safe(void) { return CURLAUTH_BASIC | CURLAUTH_DIGEST; }
static inline unsigned long exup_curlauth_bearer(void) { return CURLAUTH_BEARER; }
#endif
