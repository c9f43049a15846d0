/*
 * Randomness for key generation and signing: mbedTLS's CTR-DRBG seeded
 * from the platform entropy source (getrandom or /dev/urandom on Linux).
 */
#include <string.h>

#include "crypto_key_priv.h"

int crypto_key_rng_init(struct crypto_key_rng *rng)
{
    static const char personalization[] = "smpdfu key";

    mbedtls_entropy_init(&rng->entropy);
    mbedtls_ctr_drbg_init(&rng->drbg);
    if (mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy,
                              (const unsigned char *)personalization, strlen(personalization)) != 0) {
        crypto_key_rng_free(rng);
        return CRYPTO_EFAIL;
    }
    return CRYPTO_OK;
}

void crypto_key_rng_free(struct crypto_key_rng *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    mbedtls_entropy_free(&rng->entropy);
}

int crypto_key_rng_fill(void *p_rng, unsigned char *out, size_t len)
{
    struct crypto_key_rng *rng = p_rng;

    return mbedtls_ctr_drbg_random(&rng->drbg, out, len);
}
