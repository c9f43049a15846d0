/*
 * Dependencies between images of a multi-image build (DEPENDENCY TLVs,
 * 0x40), resolved as MCUboot's boot_verify_dependencies: the image that
 * will be in a primary slot after this boot -- the candidate if the pair
 * is to be upgraded, else the running one -- must find every image it
 * names at the minimum version, counting each named image at the version
 * it will have too. An unmet dependency turns a test or permanent upgrade
 * into no upgrade, and a pair that stays into a revert (so an image goes
 * back with the image it depends on); the check starts over after every
 * change, until all are met or nothing more can change.
 */
#ifndef SMPDFU_BOOT_LOADER_DEPS_H
#define SMPDFU_BOOT_LOADER_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"

/* One image pair as the check sees it; slot 0 primary, 1 secondary. */
struct loader_dep_image {
    uint8_t swap_type; /* BOOT_SWAP_TYPE_*; updated */
    bool present[2];   /* a readable image header in the slot */
    struct image_version version[2];
    size_t dep_count[2];
    struct image_dependency deps[2][IMAGE_MAX_DEPENDENCIES];
    bool changed;      /* set when the check changed swap_type */
};

/* The DEPENDENCY TLVs of the image in fa (protected area only). */
int loader_read_deps(const struct flash_area *fa, struct image_dependency *deps, size_t *count);

/* Resolve; returns how many swap types changed. */
unsigned loader_resolve_dependencies(struct loader_dep_image *imgs, size_t n);

#endif
