#ifndef EXUP_COPENSSL_SHIM_H
#define EXUP_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>
#include <openssl/hmac.h>

/* BIO_get_mem_data is a macro over BIO_ctrl; Swift cannot call it. */
static inline long exup_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int exup_evp_pkey_ed25519(void) { return EVP_PKEY_ED25519; }
#endif
