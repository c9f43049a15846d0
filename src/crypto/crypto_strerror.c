/* Words for the CRYPTO_E* codes, for messages of the tools. */
#include "crypto/crypto.h"

const char *crypto_strerror(int err)
{
    switch (err) {
    case CRYPTO_OK:
        return "success";
    case CRYPTO_EINVAL:
        return "invalid argument or unknown algorithm";
    case CRYPTO_EBADKEY:
        return "key cannot be parsed or is of another type";
    case CRYPTO_EBADSIG:
        return "signature malformed or does not verify";
    case CRYPTO_ENOMEM:
        return "buffer too small";
    case CRYPTO_EFAIL:
        return "crypto library failure";
    case CRYPTO_EIO:
        return "key file cannot be read";
    default:
        return "unknown error";
    }
}
