#include "device/device_keys.h"

#include "keys/crypto_key.h"

int device_key_load(const char *path, struct device_key *out)
{
    struct crypto_key *key = NULL;
    int rc = crypto_key_load_file(path, &key);
    if (rc) {
        return rc;
    }
    out->type = crypto_key_type(key);
    rc = crypto_key_public_der(key, out->der, sizeof(out->der), &out->der_len);
    crypto_key_free(key);
    return rc;
}

struct image_key device_key_view(const struct device_key *k)
{
    struct image_key v = { .type = k->type, .key = k->der, .key_len = k->der_len };
    return v;
}
