/*
 * Partition layouts of the simulated device: the geometry of one flash
 * device plus named areas (partitions), which of them form MCUboot image
 * pairs, and which one is the settings storage that SMP "erase storage"
 * wipes. Built-in layouts describe real parts; src/device/pm_static.h fills
 * the same struct from an nRF Connect SDK pm_static.yml.
 *
 * All functions return 0 or a negative LAYOUT_E* code; the ones that check
 * a layout also write a one-line reason into a caller buffer.
 */
#ifndef SMPDFU_DEVICE_LAYOUT_H
#define SMPDFU_DEVICE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_MAX_AREAS 24
#define LAYOUT_MAX_PAIRS 4
#define LAYOUT_NAME_MAX 48

enum layout_err {
    LAYOUT_OK = 0,
    LAYOUT_EINVAL = -1,    /* bad argument, geometry or unknown layout name */
    LAYOUT_ENOSPACE = -2,  /* more areas than LAYOUT_MAX_AREAS, name too long */
    LAYOUT_ERANGE = -3,    /* an area lies (partly) outside the flash */
    LAYOUT_EOVERLAP = -4,  /* two areas that are not containers overlap */
    LAYOUT_ENOPAIR = -5,   /* mcuboot_primary / mcuboot_secondary missing */
    LAYOUT_EALIGN = -6,    /* a slot or the storage area is not sector aligned */
    LAYOUT_EPARSE = -7,    /* pm_static.yml: YAML syntax or structure */
    LAYOUT_EIO = -8,       /* pm_static.yml: cannot read the file */
};

struct layout_geometry {
    uint32_t flash_size;
    uint32_t sector_size;  /* uniform erase unit (page) */
    uint8_t write_block;   /* smallest programmable unit */
    uint8_t erase_value;
};

struct layout_area {
    uint8_t id;            /* flash area id: index in address order */
    char name[LAYOUT_NAME_MAX];
    uint32_t off;
    uint32_t size;
    /* Spans other areas (pm_static "span", e.g. mcuboot_primary over
     * mcuboot_pad + app): exempt from the overlap check. */
    bool container;
};

/* Image pair n: mcuboot_primary[_n] and mcuboot_secondary[_n]. Indices
 * into layout.areas. */
struct layout_pair {
    size_t primary;
    size_t secondary;
};

struct layout {
    char name[LAYOUT_NAME_MAX];
    struct layout_geometry geo;
    struct layout_area areas[LAYOUT_MAX_AREAS];
    size_t area_count;
    struct layout_pair pairs[LAYOUT_MAX_PAIRS];
    size_t pair_count;
    /* Index of settings_storage (or storage), -1 if there is none. */
    int storage;
    /* Index of b0 (the immutable first stage), -1 if there is none. */
    int first_stage;
};

/* Geometry of the nRF52840's internal flash: 1 MiB, 4 KiB pages, 4-byte
 * words, erased = 0xff. */
struct layout_geometry layout_geometry_nrf52840(void);

/* Fill *out with the built-in layout called name ("nrf52840",
 * "nrf52840-mcuboot", "nrf5340"); LAYOUT_EINVAL for an unknown name. */
int layout_builtin(const char *name, struct layout *out);
/* Names of the built-in layouts, NULL-terminated. */
const char *const *layout_builtin_names(void);

/* Start an empty layout with this geometry. */
int layout_init(struct layout *lo, const char *name, const struct layout_geometry *geo);
/* Append an area (id assigned by layout_finish). */
int layout_add_area(struct layout *lo, const char *name, uint32_t off, uint32_t size,
                    bool container);

/*
 * Check the layout and derive what the device needs: areas sorted by
 * address and numbered, every area inside the flash, no overlaps between
 * non-container areas, image pairs found by name (pair 0 is required),
 * slots and storage sector aligned.
 * On failure err (if not NULL) holds the reason.
 */
int layout_finish(struct layout *lo, char *err, size_t err_len);

/* Index of the area called name, or -1. */
int layout_find(const struct layout *lo, const char *name);

#endif
