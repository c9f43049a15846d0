#include "client/dfu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium/utils.h>

#include "client/commands.h"
#include "client/image_state.h"
#include "wire/smp_err.h"

static const char *mode_names[] = {
    [DFU_MODE_DEFAULT] = "default",
    [DFU_MODE_TEST_CONFIRM] = "test-confirm",
    [DFU_MODE_CONFIRM] = "confirm",
    [DFU_MODE_TEST] = "test",
    [DFU_MODE_UPLOAD] = "upload",
};

int dfu_mode_parse(const char *name, enum dfu_mode *mode)
{
    for (int m = DFU_MODE_TEST_CONFIRM; m <= DFU_MODE_UPLOAD; m++) {
        if (strcmp(name, mode_names[m]) == 0) {
            *mode = (enum dfu_mode)m;
            return 0;
        }
    }
    return -1;
}

/* What the package's image i is doing on the device. */
enum img_action {
    ACT_RUNNING,
    ACT_IN_SLOT,
    ACT_UPLOAD,
    ACT_OTHER_VARIANT, /* an MCUboot variant for the S slot that runs now */
};

struct dfu_run {
    struct smp_session *s;
    const struct package *p;
    const struct dfu_opts *o;
    struct output *out;
    enum dfu_mode mode;
    char hash_hex[PKG_MAX_IMAGES][129];
    enum img_action action[PKG_MAX_IMAGES];
    /* Marked for a trial boot although the mode asked for confirm (the
     * device refused to confirm an image that does not run yet): confirm
     * after the reset. */
    bool confirm_after[PKG_MAX_IMAGES];
    int active_s; /* the S slot MCUboot ran from before the update */
    /* The device listed a running slot for this image before the update
     * (Zephyr lists none for an nRF53 network core). */
    bool had_active[PKG_MAX_IMAGES];
    cJSON *list; /* the device's last image list */
};

/* One sentence on what image `image` is on the device now. */
static void describe_device(struct dfu_run *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->p->count && len < cap; i++) {
        uint32_t n = r->p->img[i].image;
        if (r->action[i] == ACT_OTHER_VARIANT) {
            continue;
        }
        const cJSON *run = r->list ? image_entry_find(r->list, n, NULL) : NULL;
        const cJSON *mine = r->list ? image_entry_find(r->list, n, r->hash_hex[i]) : NULL;
        len += (size_t)snprintf(buf + len, cap - len, "%simage %u runs %s%s", len ? "; " : "",
                                (unsigned)n, run ? image_entry_str(run, "version") : "an unknown version",
                                run && !image_entry_flag(run, "confirmed") ? " (not confirmed)" : "");
        if (len >= cap) {
            break;
        }
        if (mine && mine != run) {
            len += (size_t)snprintf(buf + len, cap - len, ", %s waits in slot %d%s",
                                    r->p->img[i].version,
                                    cJSON_GetObjectItemCaseSensitive(mine, "slot")
                                        ? cJSON_GetObjectItemCaseSensitive(mine, "slot")->valueint
                                        : 1,
                                    image_entry_flag(mine, "pending") ? " marked for the next boot" : "");
        }
    }
}

/* A failure of one step: the error, and where that leaves the device. */
static int fail(struct dfu_run *r, int rc, const char *step)
{
    char state[600], ctx[800];
    describe_device(r, state, sizeof(state));
    snprintf(ctx, sizeof(ctx), "upgrade stopped at \"%s\" (device: %s)", step,
             state[0] ? state : "state unknown");
    output_error(r->out, "upgrade", r->s, rc, ctx);
    return rc;
}

static int refresh_list(struct dfu_run *r)
{
    cJSON *j;
    /* A failure path reads the list to describe the device; the refusal
     * that stopped the upgrade is what gets reported. */
    struct smp_status keep = r->s->status;
    int rc = cmd_image_list(r->s, &j);
    if (rc != SESSION_EREFUSED) {
        r->s->status = keep;
    }
    if (rc) {
        cJSON_Delete(j);
        return rc;
    }
    cJSON_Delete(r->list);
    r->list = j;
    return 0;
}

static int upload_one(struct dfu_run *r, size_t i)
{
    const struct pkg_image *im = &r->p->img[i];
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "image", im->image);
    cJSON_AddStringToObject(f, "file", im->file);
    cJSON_AddStringToObject(f, "version", im->version);
    cJSON_AddNumberToObject(f, "len", (double)im->len);
    output_step(r->out, "upload", f, "Uploading %s (image %u, version %s, %zu bytes)", im->file,
                (unsigned)im->image, im->version, im->len);
    struct upload_opts o = r->o->upload;
    o.data = im->data;
    o.len = im->len;
    cJSON *res = NULL;
    int rc = cmd_image_upload(r->s, &o, (int)im->image, -1, &res);
    cJSON_Delete(res);
    output_progress_end(r->out);
    return rc;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls with image list until the device answers: it reboots, may swap
 * images for a long time, and a USB port may come back as a new device. */
static int wait_for_device(struct dfu_run *r)
{
    struct smp_session *s = r->s;
    int saved_timeout = s->timeout_ms, saved_retries = s->retries;
    s->timeout_ms = saved_timeout < 1000 ? saved_timeout : 1000;
    s->retries = 0;
    long deadline = now_ms() + r->o->reconnect_ms;
    int rc;
    do {
        rc = refresh_list(r);
        if (rc == 0 || rc == SESSION_EREFUSED) {
            break;
        }
        if (rc != -ETIMEDOUT && s->link->reopen) {
            /* The port went away with the reset; open it again. */
            struct timespec pause = { 0, 200 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            s->link->reopen(s->link->ctx);
        }
    } while (now_ms() < deadline);
    s->timeout_ms = saved_timeout;
    s->retries = saved_retries;
    return rc == 0 || rc == SESSION_EREFUSED ? rc : DFU_ENORETURN;
}

static int mark_images(struct dfu_run *r)
{
    bool confirm = r->mode == DFU_MODE_CONFIRM;
    /* Highest image index first: MCUboot on nRF53 skips the network core
     * (image 1) when the application (image 0) was marked before it. */
    for (int idx = PKG_MAX_IMAGES * 4; idx >= 0; idx--) {
        for (size_t i = 0; i < r->p->count; i++) {
            const struct pkg_image *im = &r->p->img[i];
            if ((int)im->image != idx || r->action[i] == ACT_RUNNING ||
                r->action[i] == ACT_OTHER_VARIANT) {
                continue;
            }
            /* The first stage has no trial boot: a new MCUboot is taken
             * for good or not at all. */
            bool permanent = confirm || im->s_slot >= 0;
            output_step(r->out, permanent ? "confirm" : "test", NULL,
                        "Marking image %u (%s) for %s", (unsigned)im->image, im->version,
                        permanent ? "a permanent switch" : "a trial boot");
            cJSON *res = NULL;
            int rc = cmd_image_state(r->s, im->hash, permanent, &res);
            cJSON_Delete(res);
            if (permanent && im->s_slot < 0 && rc == SESSION_EREFUSED && r->s->status.group_err &&
                r->s->status.group == SMP_GROUP_IMAGE &&
                r->s->status.group_rc == SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED) {
                /* Zephyr refuses to confirm a slot of an image that is not
                 * the running one (an nRF53 network core) unless built to
                 * allow it; a trial boot then a confirmation does the same. */
                output_warn(r->out,
                            "the device does not confirm image %u before it runs; marking it for "
                            "a trial boot and confirming it after the reset",
                            (unsigned)im->image);
                res = NULL;
                rc = cmd_image_state(r->s, im->hash, false, &res);
                cJSON_Delete(res);
                r->confirm_after[i] = true;
            }
            if (rc) {
                return rc;
            }
        }
    }
    return 0;
}

/*
 * The first stage boots the slot with the higher fw_info version and keeps
 * S0 on a tie: a variant that is not newer is copied into the idle slot and
 * never started. Said before the upload, which then stops unless --force
 * asks for it anyway (the check after the reset reports that nothing
 * changed). 0 to go ahead, -ECANCELED to stop.
 */
static int warn_not_newer(struct dfu_run *r, const struct pkg_image *im, int64_t running)
{
    if (running < 0 && im->fw_version >= 0) {
        output_step(r->out, "pick", NULL,
                    "The device does not report the fw_info version of the running MCUboot: "
                    "nothing is known about whether the S%d variant (fw_info version %lld) is "
                    "newer",
                    im->s_slot, (long long)im->fw_version);
    } else if (running < 0) {
        output_step(r->out, "pick", NULL,
                    "Neither the device nor the S%d variant gives a fw_info version: nothing is "
                    "known about whether it is newer",
                    im->s_slot);
    } else if (im->fw_version < 0) {
        output_warn(r->out,
                    "the S%d variant (%s) carries no fw_info version: the first stage may not "
                    "take it over the running MCUboot (fw_info version %lld)",
                    im->s_slot, im->file, (long long)running);
    } else if (im->fw_version <= running) {
        output_warn(r->out,
                    "the S%d variant has fw_info version %lld, not higher than the running "
                    "MCUboot's %lld: the first stage will keep booting the running MCUboot; %s",
                    im->s_slot, (long long)im->fw_version, (long long)running,
                    r->o->force ? "sending it anyway (--force)"
                                : "nothing sent (--force sends it anyway)");
        return r->o->force ? 0 : -ECANCELED;
    }
    return 0;
}

/* Of S0/S1 variants, only the one linked for the slot that does not run
 * can be written. */
static int pick_variants(struct dfu_run *r)
{
    bool any = false;
    for (size_t i = 0; i < r->p->count; i++) {
        any |= r->p->img[i].s_slot >= 0;
    }
    if (!any) {
        return 0;
    }
    int64_t running = -1;
    int active = cmd_active_b0_slot(r->s, &running);
    if (active < 0) {
        output_step(r->out, "pick", NULL,
                    "The package holds MCUboot for the first-stage bootloader's S slots, and the "
                    "device does not say which S slot it boots (bootloader info active_b0_slot)");
        return active;
    }
    for (size_t i = 0; i < r->p->count; i++) {
        const struct pkg_image *im = &r->p->img[i];
        if (im->s_slot < 0) {
            continue;
        }
        if (im->s_slot == active) {
            r->action[i] = ACT_OTHER_VARIANT;
            continue;
        }
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "active_s_slot", active);
        cJSON_AddStringToObject(f, "file", im->file);
        output_step(r->out, "pick", f,
                    "MCUboot runs from S%d: sending the S%d variant (%s); the S%d variant "
                    "would replace the running bootloader, which the first stage protects",
                    active, im->s_slot, im->file, active);
        int rc = warn_not_newer(r, im, running);
        if (rc) {
            return rc;
        }
    }
    r->active_s = active;
    return 0;
}

/* After the reset: every updated image must run; confirm in test-confirm. */
static int check_running(struct dfu_run *r)
{
    for (size_t i = 0; i < r->p->count; i++) {
        const struct pkg_image *im = &r->p->img[i];
        if (r->action[i] == ACT_RUNNING || r->action[i] == ACT_OTHER_VARIANT) {
            continue;
        }
        if (im->s_slot >= 0) {
            /* A new MCUboot shows as the first stage booting its slot. */
            int64_t fw = -1;
            int now = cmd_active_b0_slot(r->s, &fw);
            if (now == im->s_slot) {
                cJSON *f = cJSON_CreateObject();
                cJSON_AddNumberToObject(f, "active_s_slot", now);
                char ver[48] = "";
                if (fw >= 0) {
                    cJSON_AddNumberToObject(f, "fw_info_version", (double)fw);
                    snprintf(ver, sizeof(ver), ", fw_info version %lld", (long long)fw);
                }
                output_step(r->out, "check", f,
                            "image %u: the first-stage bootloader now boots MCUboot from S%d "
                            "(was S%d): the new MCUboot (%s%s) runs",
                            (unsigned)im->image, now, r->active_s, im->version, ver);
                continue;
            }
            output_step(r->out, "check", NULL,
                        "image %u: the first-stage bootloader still boots MCUboot from S%d: it "
                        "did not take the new MCUboot (%s)",
                        (unsigned)im->image, r->active_s, im->version);
            return DFU_ENOTRUNNING;
        }
        const cJSON *run = image_entry_find(r->list, im->image, NULL);
        if (run && strcmp(image_entry_str(run, "hash"), r->hash_hex[i]) == 0) {
            continue;
        }
        const cJSON *mine = image_entry_find(r->list, im->image, r->hash_hex[i]);
        if (!r->had_active[i] && !run && !(mine && image_entry_flag(mine, "pending"))) {
            /* An image the device never lists as running (a network
             * core): the bootloader took the upload; nothing more to see. */
            output_warn(r->out,
                        "image %u: the device does not list which image runs there; the "
                        "bootloader took %s from the spare slot",
                        (unsigned)im->image, im->version);
            continue;
        }
        char why[300];
        if (!mine) {
            snprintf(why, sizeof(why),
                     "image %u: the new image (%s) is gone from the device: the bootloader "
                     "refused it (signed by a key it does not trust, or damaged) and erased it",
                     (unsigned)im->image, im->version);
        } else if (image_entry_flag(mine, "pending")) {
            snprintf(why, sizeof(why),
                     "image %u: the bootloader did not start %s, it is still marked for the next "
                     "boot (does this bootloader swap images?)",
                     (unsigned)im->image, im->version);
        } else {
            snprintf(why, sizeof(why),
                     "image %u: the device reverted to %s: %s was not confirmed or failed to "
                     "start",
                     (unsigned)im->image, run ? image_entry_str(run, "version") : "its old image",
                     im->version);
        }
        output_step(r->out, "check", NULL, "%s", why);
        return DFU_ENOTRUNNING;
    }
    for (size_t i = 0; i < r->p->count; i++) {
        const struct pkg_image *im = &r->p->img[i];
        if (r->action[i] == ACT_RUNNING || r->action[i] == ACT_OTHER_VARIANT || im->s_slot >= 0 ||
            (r->mode != DFU_MODE_TEST_CONFIRM && !r->confirm_after[i])) {
            continue;
        }
        output_step(r->out, "confirm", NULL, "Confirming image %u (%s), which runs now",
                    (unsigned)im->image, im->version);
        cJSON *res = NULL;
        int rc = cmd_image_state(r->s, im->hash, true, &res);
        if (rc == 0) {
            cJSON_Delete(r->list);
            r->list = res;
            res = NULL;
        }
        cJSON_Delete(res);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static cJSON *summary(struct dfu_run *r)
{
    static const char *acts[] = { "already running", "already uploaded", "uploaded",
                                  "not sent (variant for the running S slot)" };
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "mode", mode_names[r->mode]);
    cJSON *imgs = cJSON_AddArrayToObject(j, "images");
    for (size_t i = 0; i < r->p->count; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "image", r->p->img[i].image);
        cJSON_AddStringToObject(e, "file", r->p->img[i].file);
        cJSON_AddStringToObject(e, "version", r->p->img[i].version);
        cJSON_AddStringToObject(e, "hash", r->hash_hex[i]);
        cJSON_AddStringToObject(e, "action", acts[r->action[i]]);
        if (r->p->img[i].s_slot >= 0) {
            cJSON_AddNumberToObject(e, "s_slot", r->p->img[i].s_slot);
        }
        cJSON_AddItemToArray(imgs, e);
    }
    cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(r->list, "images");
    cJSON_AddItemToObject(j, "device", list ? list : cJSON_CreateArray());
    return j;
}

static void print_final(struct dfu_run *r)
{
    if (r->out->json) {
        output_result(r->out, "upgrade", summary(r));
        return;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->list, "images"))
    {
        if (image_entry_flag(e, "active")) {
            output_step(r->out, "done", NULL, "image %d runs %s (%s%s), hash %s", image_entry_image(e),
                        image_entry_str(e, "version"),
                        image_entry_flag(e, "confirmed") ? "confirmed" : "not confirmed",
                        r->mode == DFU_MODE_TEST && !image_entry_flag(e, "confirmed")
                            ? ": the next reset reverts it unless it confirms itself"
                            : "",
                        image_entry_str(e, "hash"));
        }
    }
}

static int run_steps(struct dfu_run *r)
{
    int rc = refresh_list(r);
    if (rc) {
        return fail(r, rc, "image list");
    }
    if ((rc = pick_variants(r)) != 0) {
        return fail(r, rc, "pick the S0/S1 variant");
    }
    size_t todo = 0;
    for (size_t i = 0; i < r->p->count; i++) {
        const struct pkg_image *im = &r->p->img[i];
        if (r->action[i] == ACT_OTHER_VARIANT) {
            continue;
        }
        const cJSON *run = image_entry_find(r->list, im->image, NULL);
        const cJSON *mine = image_entry_find(r->list, im->image, r->hash_hex[i]);
        r->had_active[i] = run != NULL;
        if (run && run == mine) {
            r->action[i] = ACT_RUNNING;
            output_step(r->out, "skip", NULL, "Image %u already runs %s: nothing to send",
                        (unsigned)im->image, im->version);
        } else {
            r->action[i] = mine ? ACT_IN_SLOT : ACT_UPLOAD;
            todo++;
        }
    }
    if (todo == 0) {
        print_final(r);
        return 0;
    }
    for (size_t i = 0; i < r->p->count; i++) {
        if (r->action[i] == ACT_IN_SLOT) {
            output_step(r->out, "skip", NULL, "Image %u: %s is already in the spare slot",
                        (unsigned)r->p->img[i].image, r->p->img[i].version);
        } else if (r->action[i] == ACT_UPLOAD && (rc = upload_one(r, i)) != 0) {
            refresh_list(r);
            return fail(r, rc, "upload");
        }
    }
    if (r->mode == DFU_MODE_UPLOAD) {
        if ((rc = refresh_list(r)) != 0) {
            return fail(r, rc, "image list");
        }
        output_step(r->out, "uploaded", NULL,
                    "Uploaded; not marked and not reset (--mode upload): the device keeps "
                    "running what it ran");
        print_final(r);
        return 0;
    }
    if ((rc = mark_images(r)) != 0) {
        refresh_list(r);
        return fail(r, rc, "mark");
    }
    if (r->o->erase_settings) {
        output_step(r->out, "erase-settings", NULL, "Erasing the application's settings");
        cJSON *res = NULL;
        rc = cmd_storage_erase(r->s, &res);
        cJSON_Delete(res);
        if (rc == SESSION_EREFUSED && !r->s->status.group_err &&
            r->s->status.rc == SMP_MGMT_ENOTSUP) {
            output_warn(r->out, "the device cannot erase its settings (no storage erase command); "
                                "they are kept");
        } else if (rc) {
            refresh_list(r);
            return fail(r, rc, "erase settings");
        }
    }
    output_step(r->out, "reset", NULL, "Resetting the device");
    cJSON *res = NULL;
    rc = cmd_reset(r->s, false, &res);
    cJSON_Delete(res);
    if (rc) {
        refresh_list(r);
        return fail(r, rc, "reset");
    }
    output_step(r->out, "reconnect", NULL, "Waiting for the device to come back (up to %d s)",
                r->o->reconnect_ms / 1000);
    /* Zephyr answers the reset first and reboots a little later
     * (CONFIG_MCUMGR_GRP_OS_RESET_MS, 250 ms by default): an image list
     * read at once could still come from the old run. */
    struct timespec settle = { r->o->reset_settle_ms / 1000,
                               (long)(r->o->reset_settle_ms % 1000) * 1000000L };
    nanosleep(&settle, NULL);
    rc = wait_for_device(r);
    if (rc) {
        return fail(r, rc, "reconnect");
    }
    rc = check_running(r);
    if (rc) {
        refresh_list(r);
        return fail(r, rc, "check");
    }
    if ((rc = refresh_list(r)) != 0) {
        return fail(r, rc, "final image list");
    }
    print_final(r);
    return 0;
}

int dfu_upgrade(struct smp_session *s, const struct package *p, const struct dfu_opts *o,
                struct output *out)
{
    struct dfu_run r = { .s = s, .p = p, .o = o, .out = out, .mode = o->mode };
    if (r.mode == DFU_MODE_DEFAULT) {
        /* Test-and-confirm is only sound for one image: with several, a
         * revert of one would leave a mismatched set. */
        r.mode = p->count > 1 ? DFU_MODE_CONFIRM : DFU_MODE_TEST_CONFIRM;
    }
    for (size_t i = 0; i < p->count; i++) {
        sodium_bin2hex(r.hash_hex[i], sizeof(r.hash_hex[i]), p->img[i].hash, p->img[i].hash_len);
    }
    int rc = run_steps(&r);
    cJSON_Delete(r.list);
    return rc;
}
