/*
 * What `upgrade` sends: a signed MCUboot image (.bin) or an nRF Connect
 * SDK DFU package: dfu_application.zip (manifest.json listing application
 * images with their image_index, plus the binaries) or dfu_mcuboot.zip
 * (type "mcuboot": the same MCUboot built for the first-stage
 * bootloader's S0 and for its S1 slot, "slot" 0 and 1; only the variant
 * for the slot that does not run can be sent).
 *
 * Each image is parsed like the device will parse it, so the client knows
 * its version and the hash that image list shows (the hash TLV, not the
 * file's SHA-256) before sending a byte.
 */
#ifndef SMPDFU_CLIENT_PACKAGE_H
#define SMPDFU_CLIENT_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKG_MAX_IMAGES 6
#define PKG_MAX_SIZE (16u * 1024 * 1024)

struct pkg_image {
    char file[128];       /* name in the zip, or the path */
    char type[32];        /* manifest "type" ("application" for a .bin) */
    uint32_t image;       /* image_index: the image pair it updates */
    int s_slot;           /* type mcuboot: the S slot (0, 1) it is linked for; else -1 */
    /* type mcuboot: the fw_info version the first stage compares (from the
     * image's fw_info, else the manifest's version_B0); else -1 */
    int64_t fw_version;
    uint8_t *data;
    size_t len;
    uint8_t hash[64];     /* the image's hash TLV */
    size_t hash_len;
    char version[32];
};

struct package {
    bool zip;
    size_t count;
    struct pkg_image img[PKG_MAX_IMAGES];
};

/* 0, or a negative error with a sentence in err. */
int package_load(const char *path, struct package *p, char *err, size_t cap);
void package_free(struct package *p);

/* Reads a whole file (at most PKG_MAX_SIZE) into a malloc'd buffer. */
int read_whole_file(const char *path, uint8_t **data, size_t *len);

#endif
