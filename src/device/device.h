/*
 * The simulated device: a flash file laid out by a partition layout, a boot
 * path and an application that serves SMP.
 *
 * Power-up and every reset go through device_boot(): on a layout with a
 * provisioned first stage (b0, S0/S1: src/device/device_first_stage.h) it
 * picks the S slot first and the loader runs from there; the MCUboot-compatible
 * loader (src/boot/loader.h) finishes or carries out what the trailers ask
 * for each image pair -- swap, revert, erase an invalid candidate -- and
 * validates every primary slot (signatures checked against the trusted
 * keys, hash only without keys); each decision is logged, and the
 * application of image 0 starts as its behaviour marker says
 * (src/device/app_marker.h):
 * it may confirm itself, fail to start, or just run. A running application
 * answers SMP packets through the portable server (src/mgmt); SMP "reset"
 * is carried out by the caller once the response is on its way
 * (device_reset_requested, then device_boot again).
 *
 * Log lines go to the config's log stream, one per event, MCUboot/Zephyr
 * style: "I: ...", "W: ...", "E: ...".
 */
#ifndef SMPDFU_DEVICE_DEVICE_H
#define SMPDFU_DEVICE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "boot/image.h"
#include "boot/loader.h"
#include "boot/trailer.h"
#include "device/app_marker.h"
#include "device/device_keys.h"
#include "device/layout.h"
#include "flash/flash_area.h"
#include "flash/sim/flash_sim.h"
#include "mgmt/smp_server.h"

#define DEVICE_MAX_KEYS 8

enum device_err {
    DEVICE_OK = 0,
    DEVICE_EINVAL = -1,  /* bad argument or configuration */
    DEVICE_EFLASH = -2,  /* the flash file cannot be created, opened or written */
    DEVICE_ENOAREA = -3, /* no area of that name in the layout */
    DEVICE_EIMAGE = -4,  /* image file cannot be read or does not fit the area */
};

struct device_config {
    const char *flash_path;
    struct layout layout;
    struct device_key keys[DEVICE_MAX_KEYS];
    size_t key_count;
    /* The bootloader's upgrade strategy: the trailer format in every slot. */
    enum trailer_mode mode;
    /* Refuse candidates older than the running image (erased at boot). */
    bool downgrade_prevention;
    /* Hardware rollback protection: security counters kept per image
     * (src/device/device_counter.h); images below them never boot. */
    bool rollback_protection;
    /* First-stage key (raw ECDSA P-256 X||Y) provisioned into a blank
     * provision area (src/device/device_first_stage.h). */
    bool has_b0_key;
    uint8_t b0_pub[64];
    FILE *log;
};

struct device {
    struct device_config cfg;
    struct flash_sim sim;
    struct flash_area areas[LAYOUT_MAX_AREAS];
    struct image_key keys[DEVICE_MAX_KEYS];
    struct trailer_config trailer;
    struct smp_server server;
    struct smp_server_image_pair pairs[LAYOUT_MAX_PAIRS];
    struct loader_pair loader_pairs[LAYOUT_MAX_PAIRS];
    struct loader_counter_ops counter;
    /* The first stage, when the layout has one and it is provisioned. */
    bool first_stage_on;
    struct nsib_config nsib;
    struct loader_first_stage first_stage;
    unsigned boot_count;
    bool serving;          /* the application is up and answers SMP */
    bool reset_requested;  /* SMP reset accepted; reboot after the response */
    bool clock_set;        /* "datetime set" was received since power-up */
    int64_t clock_offset;  /* device time minus host time, seconds */
};

/* Create (erased) or open the flash file with the layout's geometry. */
int device_open(struct device *dev, const struct device_config *cfg);
void device_close(struct device *dev);

/* Write an image file into the named area as a programming station does
 * (erase the area, write the bytes). Into s0/s1, a file that is not an
 * MCUboot image (the bare first-stage-signed firmware) goes after the
 * slot's pad, where it was linked. */
int device_install(struct device *dev, const char *area_name, const char *image_path);

/* Boot path, then start the application (see above); a reset the loader
 * asks for after copying a new bootloader is carried out here, so one call
 * can go through several boots. DEVICE_EFLASH if the first stage or the
 * loader could not finish for lack of flash: nothing runs. */
int device_boot(struct device *dev);

/*
 * One transport packet in, the response out: returns the response length,
 * 0 when there is nothing to send (no application running, or the packet
 * was dropped), or a negative code.
 */
int device_process(struct device *dev, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t out_cap);

/* Start the application's SMP server (device_app.c). */
int device_server_start(struct device *dev);

/* True once after an accepted SMP reset. */
bool device_take_reset(struct device *dev);

/* One log line: level 'I', 'W' or 'E'. */
void device_log(struct device *dev, char level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
