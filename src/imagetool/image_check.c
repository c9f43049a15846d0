#include "imagetool/image_check.h"

#include <string.h>

#include "imagetool/mem_area.h"

int image_check(const uint8_t *img, size_t len, const struct crypto_key *key,
                struct image_result *res)
{
    struct mem_area m;
    uint8_t der[1024];
    size_t der_len = 0;
    struct image_key ik;
    struct image_policy pol = { .mode = IMAGE_VERIFY_HASH_ONLY };

    if (len > UINT32_MAX) {
        memset(res, 0, sizeof(*res));
        return res->reason = IMAGE_ETOOBIG;
    }
    if (key != NULL) {
        if (crypto_key_public_der(key, der, sizeof(der), &der_len) != 0) {
            memset(res, 0, sizeof(*res));
            return res->reason = IMAGE_EBADKEY;
        }
        ik = (struct image_key){ .type = crypto_key_type(key), .key = der, .key_len = der_len };
        pol.mode = IMAGE_VERIFY_SIGNED;
        pol.keys = &ik;
        pol.key_count = 1;
    }
    mem_area_init(&m, img, (uint32_t)len, 0xff);
    return image_validate(&m.fa, &pol, res);
}
