/*
 * The whole update of a device from a package, as one state machine:
 *
 *   list → upload (images not yet there) → mark (test or confirm; image 1
 *   before image 0, so an nRF53 network core is not skipped) → erase
 *   settings (optional) → reset → wait for the device (it may be swapping)
 *   → check what runs → confirm (test-confirm mode) → final list
 *
 * Images whose hash already runs are skipped; images already in a spare
 * slot are not uploaded again. Every failure says which step failed and
 * what the device runs and holds at that point.
 */
#ifndef SMPDFU_CLIENT_DFU_H
#define SMPDFU_CLIENT_DFU_H

#include <cJSON.h>
#include <stdbool.h>

#include "client/output.h"
#include "client/package.h"
#include "client/session.h"
#include "client/upload.h"

enum dfu_mode {
    DFU_MODE_DEFAULT,      /* test-confirm for one image, confirm for several (Nordic's) */
    DFU_MODE_TEST_CONFIRM, /* test, reset, confirm once the new image answers */
    DFU_MODE_CONFIRM,      /* permanent before the reset */
    DFU_MODE_TEST,         /* one trial boot; the image must confirm itself */
    DFU_MODE_UPLOAD,       /* upload only: no mark, no reset */
};

enum dfu_err {
    DFU_ENOTRUNNING = -10200, /* after the reset the new image does not run */
    DFU_ENORETURN = -10201,   /* the device did not come back after the reset */
};

struct dfu_opts {
    enum dfu_mode mode;
    bool erase_settings;
    /* Send an MCUboot whose fw_info version is not higher than the running
     * one's (the first stage will keep the running one): without it the
     * upgrade stops before uploading. */
    bool force;
    int reconnect_ms;      /* how long the device may stay silent after the reset */
    int reset_settle_ms;   /* pause after the reset's answer before asking again */
    struct upload_opts upload; /* tuning and progress for each upload (data/len ignored) */
};

/* "test-confirm", ... into *mode; -1 for an unknown name. */
int dfu_mode_parse(const char *name, enum dfu_mode *mode);

/* Runs the update; prints steps, progress, the result or the error
 * through out. 0 or a negative error (already reported). */
int dfu_upgrade(struct smp_session *s, const struct package *p, const struct dfu_opts *o,
                struct output *out);

#endif
