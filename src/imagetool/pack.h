/*
 * DFU packages as NCS writes them (scripts/bootloader/generate_zip.py via
 * cmake/fw_zip.cmake): a zip of the binaries plus manifest.json,
 *
 *   { "format-version": 1, "time": <unix time>, "name": ..., "files": [
 *       { "type": "mcuboot"|"application", "board": ..., "soc": ...,
 *         "load_address": <number>, "version_MCUBOOT": "1.2.3+0",
 *         "version_B0": "2", "slot": "1", "image_index": "0",
 *         "size": <number>, "file": "<name in the zip>", "modtime": <number> } ] }
 *
 * Value shapes follow generate_zip.py: it turns only "0x..." arguments
 * into numbers, and the build passes load addresses in hex and everything
 * else in decimal -- so load_address, size and modtime are numbers while
 * slot, image_index and version_B0 are strings. Readers should take both.
 *
 * dfu_mcuboot.zip: two "mcuboot" entries, the S0 and the S1 variant, with
 * slot "0"/"1", load_address = the S slot's address, version_MCUBOOT and
 * version_B0 (fw_info.version, what decides whether NSIB switches).
 * dfu_application.zip: "application" entries with image_index and the
 * MCUboot slot numbers (slot_index_primary/secondary, 1-based as mcumgr).
 */
#ifndef SMPDFU_IMAGETOOL_PACK_H
#define SMPDFU_IMAGETOOL_PACK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pack_file {
    const char *file;            /* name inside the zip */
    const uint8_t *data;
    size_t len;
    const char *type;            /* "mcuboot" or "application" */
    bool has_load_address;
    uint32_t load_address;
    const char *version_mcuboot; /* NULL: absent */
    int version_b0;              /* -1: absent */
    int slot;                    /* -1: absent */
    int image_index;             /* -1: absent */
    int slot_index_primary;      /* -1: absent */
    int slot_index_secondary;    /* -1: absent */
};

struct pack_info {
    const char *name;  /* NULL: absent */
    const char *board;
    const char *soc;   /* NULL: absent */
    long long time;    /* manifest "time" and every "modtime" */
};

/* The manifest; NULL when out of memory. */
cJSON *pack_manifest(const struct pack_info *info, const struct pack_file *files, size_t n);

/* Write the zip (files, then manifest.json). 0 or -1 with err set. */
int pack_write_zip(const char *path, const struct pack_info *info, const struct pack_file *files,
                   size_t n, char *err, size_t err_len);

/*
 * The manifest entry of one S-slot variant (type mcuboot), read from its
 * bytes: version_MCUBOOT from the MCUboot header, version_B0 from the
 * fw_info inside, load_address = fw_info.address - header size (the slot
 * start). ver holds the version string (ver_len >= 48). 0 or -1 with err.
 */
int pack_describe_mcuboot(const uint8_t *img, size_t len, uint8_t hw_id, int slot, const char *file,
                          char *ver, size_t ver_len, struct pack_file *out, char *err,
                          size_t err_len);

/* The manifest entry of an application image for MCUboot image pair
 * image_index (type application), version from its header. */
int pack_describe_application(const uint8_t *img, size_t len, uint32_t load_address,
                              int image_index, const char *file, char *ver, size_t ver_len,
                              struct pack_file *out, char *err, size_t err_len);

#endif
