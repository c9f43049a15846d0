/*
 * Reading the device's image state (image list, as JSON): which entry
 * belongs to which image pair, which one runs, which one holds a hash.
 * Absent flags read as false (Zephyr's frugal list omits false flags).
 */
#ifndef SMPDFU_CLIENT_IMAGE_STATE_H
#define SMPDFU_CLIENT_IMAGE_STATE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* The entry's image pair ("image", 0 when absent: single-image servers
 * leave it out). */
int image_entry_image(const cJSON *e);
/* A text field, "" when absent. */
const char *image_entry_str(const cJSON *e, const char *key);
bool image_entry_flag(const cJSON *e, const char *key);
/* The entry of image pair `image` that runs (hash_hex NULL) or that holds
 * hash_hex (lowercase hex); NULL if none. */
const cJSON *image_entry_find(const cJSON *list, uint32_t image, const char *hash_hex);

#endif
