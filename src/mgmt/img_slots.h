/*
 * The image group's view of the slots: which pair an image number or an
 * absolute slot number (2 x image + 0/1) names, what the two trailers of a
 * pair ask the bootloader to do next, the state-read flags that follows from
 * that (Zephyr's img_mgmt_state_flags), and the image in a slot.
 *
 * Slot numbers inside a pair: 0 is the primary (the running image), 1 the
 * secondary (where uploads go).
 */
#ifndef SMPDFU_MGMT_IMG_SLOTS_H
#define SMPDFU_MGMT_IMG_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/trailer.h"
#include "mgmt/smp_server.h"

#define IMG_SLOT_PRIMARY 0u
#define IMG_SLOT_SECONDARY 1u

/* State-read flags of one slot. */
#define IMG_FLAG_ACTIVE 0x1u
#define IMG_FLAG_PENDING 0x2u
#define IMG_FLAG_CONFIRMED 0x4u
#define IMG_FLAG_PERMANENT 0x8u

/* How the next boot uses the slot it picks (Zephyr's next-boot type). */
enum img_boot_type {
    IMG_BOOT_NORMAL, /* stays: the running image, or a permanent switch */
    IMG_BOOT_TEST,   /* one trial boot of the secondary */
    IMG_BOOT_REVERT, /* running a trial image: the old one comes back */
};

struct img_pair_state {
    int swap_type;          /* BOOT_SWAP_TYPE_* from both trailers */
    unsigned next_slot;     /* slot the next boot runs */
    enum img_boot_type next_type;
    bool secondary_magic_bad; /* a corrupt secondary trailer: nothing can be requested */
};

/* Index in cfg.pairs of image number image, or -1. */
int img_pair_index(const struct smp_server *srv, uint32_t image);
/* The area of slot (0/1) of pair index pi. */
const struct flash_area *img_slot_area(const struct smp_server *srv, size_t pi, unsigned slot);
/* Read both trailers of pair pi; an unreadable trailer counts as erased. */
void img_pair_state(const struct smp_server *srv, size_t pi, struct img_pair_state *st);
/* State-read flags of slot in a pair whose state is st. */
unsigned img_slot_flags(const struct img_pair_state *st, unsigned slot);
/* The secondary is needed by the next boot (test, permanent or revert). */
bool img_secondary_in_use(const struct img_pair_state *st);
/*
 * The image in a slot as image lists show it (image_read_info). A secondary
 * that an upload is writing holds no image yet: IMAGE_EEMPTY.
 */
int img_slot_info(const struct smp_server *srv, size_t pi, unsigned slot,
                  struct image_slot_info *info);
/* Largest image the pair can take: it must end before the trailer of both
 * slots (it runs from the primary after the swap). */
uint32_t img_max_image_size(const struct smp_server *srv, size_t pi);

#endif
