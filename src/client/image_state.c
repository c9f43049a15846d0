#include "client/image_state.h"

#include <string.h>

int image_entry_image(const cJSON *e)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "image");
    return cJSON_IsNumber(n) ? n->valueint : 0;
}

const char *image_entry_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool image_entry_flag(const cJSON *e, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, key));
}

const cJSON *image_entry_find(const cJSON *list, uint32_t image, const char *hash_hex)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(list, "images"))
    {
        if (image_entry_image(e) != (int)image) {
            continue;
        }
        if (hash_hex ? strcmp(image_entry_str(e, "hash"), hash_hex) == 0
                     : image_entry_flag(e, "active")) {
            return e;
        }
    }
    return NULL;
}
