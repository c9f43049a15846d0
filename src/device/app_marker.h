/*
 * The behaviour marker of a simulated application. The device cannot run
 * the code in an image, so a payload says what "its application" does after
 * boot with a marker anywhere in the payload:
 *
 *   16 bytes  tag   "SMPDFU-APP-BEHAV" (ASCII, no NUL)
 *   16 bytes  word  "confirm" | "no-confirm" | "fail", NUL-padded
 *
 *   confirm     the application confirms itself (writes image_ok)
 *   no-confirm  the application runs but never confirms
 *   fail        the application does not start (no SMP until next reset)
 *
 * The first tag found counts. A payload without a tag behaves like
 * no-confirm: a normal application that waits to be confirmed over SMP.
 */
#ifndef SMPDFU_DEVICE_APP_MARKER_H
#define SMPDFU_DEVICE_APP_MARKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APP_MARKER_TAG "SMPDFU-APP-BEHAV"
#define APP_MARKER_TAG_LEN 16u
#define APP_MARKER_WORD_LEN 16u
#define APP_MARKER_LEN (APP_MARKER_TAG_LEN + APP_MARKER_WORD_LEN)
/* Cortex-M vector table written by app_payload_write: 16 words. */
#define APP_VECTOR_TABLE_LEN 64u

enum app_marker_err {
    APP_MARKER_OK = 0,
    APP_MARKER_EINVAL = -1,    /* bad argument, or size too small for what was asked */
    APP_MARKER_ENOTFOUND = -2, /* no tag in the payload */
    APP_MARKER_EBADWORD = -3,  /* tag followed by an unknown behaviour word */
    APP_MARKER_EFLASH = -4,    /* flash read failed (app_marker_flash.h) */
};

enum app_behaviour {
    APP_BEHAVIOUR_CONFIRM,
    APP_BEHAVIOUR_NO_CONFIRM,
    APP_BEHAVIOUR_FAIL,
};

/* "confirm", "no-confirm", "fail". */
const char *app_behaviour_name(enum app_behaviour b);
/* Inverse of app_behaviour_name; APP_MARKER_EINVAL for other words. */
int app_behaviour_from_name(const char *name, enum app_behaviour *out);

struct app_payload_opts {
    enum app_behaviour behaviour;
    /* Start with a Cortex-M vector table: initial stack pointer, then the
     * reset vector in the other 15 words (every handler = reset). */
    bool vector_table;
    uint32_t initial_sp;
    uint32_t reset_vector; /* stored as given: set bit 0 for Thumb */
};

/*
 * A synthetic application of exactly size bytes in buf: the optional
 * vector table, the marker, then deterministic filler (the same bytes for
 * the same size and options). size must hold the table and the marker.
 */
int app_payload_write(uint8_t *buf, size_t size, const struct app_payload_opts *opts);

/* The behaviour marked in buf[0..len): 0, APP_MARKER_ENOTFOUND or
 * APP_MARKER_EBADWORD. */
int app_marker_find(const uint8_t *buf, size_t len, enum app_behaviour *out);

#endif
