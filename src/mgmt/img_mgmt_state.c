/*
 * Image state read and write, following Zephyr's img_mgmt_state.c: the list
 * has one entry per slot holding a readable image (header, TLVs, one hash
 * TLV), all five flags spelled out, then "splitStatus": 0; "image" appears
 * only when more than one image is configured. A write answers with the same
 * list, updated. Behind a first stage (S0/S1), a write naming an MCUboot
 * linked for the S slot that runs is refused (cfg.b0_target_slot).
 */
#include "mgmt/img_mgmt_state.h"

#include <string.h>

#include "mgmt/img_slots.h"
#include "mgmt/mgmt_text.h"
#include "wire/smp_err.h"

/* "255.255.65535.4294967295" */
#define IMG_VERSION_TEXT_MAX 26
/* Bytes of a hash that log lines show. */
#define LOG_HASH_BYTES 8

static void encode_slot(struct mgmt_ctx *ctx, size_t pi, unsigned slot,
                        const struct image_slot_info *info, unsigned flags)
{
    struct smp_cbor_writer *w = ctx->w;
    char version[IMG_VERSION_TEXT_MAX];

    smp_cbor_map_open(w);
    if (ctx->srv->cfg.pair_count > 1) {
        smp_cbor_put_key(w, "image");
        smp_cbor_put_uint(w, ctx->srv->cfg.pairs[pi].image);
    }
    smp_cbor_put_key(w, "slot");
    smp_cbor_put_uint(w, slot);
    smp_cbor_put_key(w, "version");
    if (image_version_to_str(&info->hdr.ver, version, sizeof(version)) < 0) {
        smp_cbor_put_tstr(w, "<\?\?\?>");
    } else {
        smp_cbor_put_tstr(w, version);
    }
    smp_cbor_put_key(w, "hash");
    smp_cbor_put_bstr(w, info->hash, info->hash_len);
    smp_cbor_put_key(w, "bootable");
    smp_cbor_put_bool(w, (info->hdr.flags & IMAGE_F_NON_BOOTABLE) == 0);
    smp_cbor_put_key(w, "pending");
    smp_cbor_put_bool(w, (flags & IMG_FLAG_PENDING) != 0);
    smp_cbor_put_key(w, "confirmed");
    smp_cbor_put_bool(w, (flags & IMG_FLAG_CONFIRMED) != 0);
    smp_cbor_put_key(w, "active");
    smp_cbor_put_bool(w, (flags & IMG_FLAG_ACTIVE) != 0);
    smp_cbor_put_key(w, "permanent");
    smp_cbor_put_bool(w, (flags & IMG_FLAG_PERMANENT) != 0);
    smp_cbor_close(w);
}

static void encode_state(struct mgmt_ctx *ctx)
{
    const struct smp_server *srv = ctx->srv;

    smp_cbor_put_key(ctx->w, "images");
    smp_cbor_array_open(ctx->w);
    for (size_t pi = 0; pi < srv->cfg.pair_count; pi++) {
        struct img_pair_state st;

        img_pair_state(srv, pi, &st);
        for (unsigned slot = IMG_SLOT_PRIMARY; slot <= IMG_SLOT_SECONDARY; slot++) {
            struct image_slot_info info;

            if (img_slot_info(srv, pi, slot, &info) == IMAGE_OK) {
                encode_slot(ctx, pi, slot, &info, img_slot_flags(&st, slot));
            }
        }
    }
    smp_cbor_close(ctx->w);
    smp_cbor_put_key(ctx->w, "splitStatus");
    smp_cbor_put_int(ctx->w, 0);
}

int img_state_read(struct mgmt_ctx *ctx)
{
    encode_state(ctx);
    return MGMT_OK;
}

/* The first slot (in image, then slot order) whose image hash is hash. */
static bool find_by_hash(const struct smp_server *srv, const struct smp_cbor_str *hash, size_t *pi,
                         unsigned *slot)
{
    for (size_t p = 0; p < srv->cfg.pair_count; p++) {
        for (unsigned s = IMG_SLOT_PRIMARY; s <= IMG_SLOT_SECONDARY; s++) {
            struct image_slot_info info;

            if (img_slot_info(srv, p, s, &info) == IMAGE_OK && info.hash_len == hash->len &&
                memcmp(info.hash, hash->ptr, hash->len) == 0) {
                *pi = p;
                *slot = s;
                return true;
            }
        }
    }
    return false;
}

/*
 * Behind a first stage (NSIB) that boots MCUboot from S0 or S1, a
 * secondary slot may hold a new MCUboot linked for one of them. The S slot
 * the candidate in pair pi's secondary is linked for, with the one that
 * runs in *active; -1 when there is no candidate or the device cannot say.
 */
static int b0_candidate(const struct smp_server *srv, size_t pi, int *active)
{
    const struct smp_server_config *cfg = &srv->cfg;
    int target;

    if (cfg->b0_target_slot == NULL || cfg->b0_active_slot == NULL) {
        return -1;
    }
    target = cfg->b0_target_slot(cfg->ctx, img_slot_area(srv, pi, IMG_SLOT_SECONDARY));
    if (target != 0 && target != 1) {
        return -1;
    }
    *active = cfg->b0_active_slot(cfg->ctx);
    return *active == 0 || *active == 1 ? target : -1;
}

/* "slot 1" or, with several images, "slot 1 of image N". */
static void text_secondary(struct mgmt_text *t, const struct smp_server *srv, size_t pi)
{
    mgmt_text_str(t, "slot 1");
    if (srv->cfg.pair_count > 1) {
        mgmt_text_str(t, " of image ");
        mgmt_text_uint(t, srv->cfg.pairs[pi].image, 1);
    }
}

/*
 * A candidate linked for the S slot that runs could never start: the
 * loader erases it instead of overwriting the running bootloader. Refusing
 * the state write tells the client now rather than after a reboot.
 */
static bool b0_refused(const struct smp_server *srv, size_t pi, const struct smp_cbor_str *hash)
{
    struct mgmt_text t;
    char line[256];
    int active;
    int target = b0_candidate(srv, pi, &active);

    if (target < 0 || target != active) {
        return false;
    }
    mgmt_text_init(&t, line, sizeof(line));
    mgmt_text_str(&t, "img: state write refused: ");
    text_secondary(&t, srv, pi);
    mgmt_text_str(&t, " holds MCUboot linked for S");
    mgmt_text_uint(&t, (uint32_t)target, 1);
    mgmt_text_str(&t, " (hash ");
    mgmt_text_hex(&t, hash->ptr, LOG_HASH_BYTES);
    mgmt_text_str(&t, "...), and the first stage boots S");
    mgmt_text_uint(&t, (uint32_t)active, 1);
    mgmt_text_str(&t, " now; it could never start from there (the loader would erase it). "
                      "Upload the S");
    mgmt_text_uint(&t, (uint32_t)(1 - active), 1);
    mgmt_text_str(&t, " variant of dfu_mcuboot.zip");
    mgmt_log(srv, 'E', line);
    return true;
}

/*
 * A hash the device does not hold while a candidate waits is the field
 * report's sequence: both variants uploaded into the one secondary slot
 * (the second replacing the first), then the first one named. The answer
 * stays HASH_NOT_FOUND; the log says why and what to send instead.
 */
static void b0_explain_missing(const struct smp_server *srv, const struct smp_cbor_str *hash)
{
    for (size_t pi = 0; pi < srv->cfg.pair_count; pi++) {
        struct image_slot_info info;
        struct mgmt_text t;
        char line[256];
        int active;
        int target = b0_candidate(srv, pi, &active);

        if (target < 0 || img_slot_info(srv, pi, IMG_SLOT_SECONDARY, &info) != IMAGE_OK) {
            continue;
        }
        mgmt_text_init(&t, line, sizeof(line));
        mgmt_text_str(&t, "img: no image with hash ");
        mgmt_text_hex(&t, hash->ptr, LOG_HASH_BYTES);
        mgmt_text_str(&t, "... here: ");
        text_secondary(&t, srv, pi);
        mgmt_text_str(&t, " holds the S");
        mgmt_text_uint(&t, (uint32_t)target, 1);
        mgmt_text_str(&t, " variant of MCUboot (hash ");
        mgmt_text_hex(&t, info.hash, LOG_HASH_BYTES);
        mgmt_text_str(&t, "...), uploaded last");
        mgmt_log(srv, 'W', line);
        mgmt_text_init(&t, line, sizeof(line));
        mgmt_text_str(&t, "img: the S0 and S1 variants of dfu_mcuboot.zip are alternatives "
                          "sharing this one slot, so each upload replaced the one before; only "
                          "the S");
        mgmt_text_uint(&t, (uint32_t)(1 - active), 1);
        mgmt_text_str(&t, " variant (for the slot the first stage does not boot) can be "
                          "installed: upload it alone and confirm it");
        mgmt_log(srv, 'W', line);
        return;
    }
}

/*
 * Zephyr's img_mgmt_set_next_boot_slot policy: 0 when the request is granted
 * (possibly with nothing left to write: *done), else an IMG code.
 */
static int next_boot_policy(const struct smp_server *srv, size_t pi, unsigned slot, bool confirm,
                            const struct img_pair_state *st, bool *done)
{
    bool active_image = srv->cfg.pairs[pi].image == srv->cfg.active_image;

    *done = false;
    /* Confirming another image could make a never-run image permanent:
     * only builds that must (a core that cannot confirm itself) allow it. */
    if (confirm && !active_image && !srv->cfg.allow_confirm_other_images) {
        return SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED;
    }
    if (!confirm && slot == IMG_SLOT_PRIMARY) {
        return SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED;
    }
    switch (st->next_type) {
    case IMG_BOOT_TEST:
        if (!confirm && slot == st->next_slot) {
            *done = true;
            return 0;
        }
        return SMP_IMG_ERR_IMAGE_ALREADY_PENDING;
    case IMG_BOOT_REVERT:
        if (confirm && slot == st->next_slot) {
            *done = true;
            return 0;
        }
        return confirm ? 0 : SMP_IMG_ERR_IMAGE_ALREADY_PENDING;
    default:
        if (confirm && slot == st->next_slot) {
            *done = true;
            return 0;
        }
        /* Once a permanent switch is set, it cannot be taken back. */
        if ((slot == IMG_SLOT_PRIMARY && st->next_slot != IMG_SLOT_PRIMARY) ||
            (!confirm && slot != IMG_SLOT_PRIMARY && slot == st->next_slot)) {
            return SMP_IMG_ERR_IMAGE_ALREADY_PENDING;
        }
        return 0;
    }
}

static void log_request(const struct smp_server *srv, size_t pi, unsigned slot, bool confirm)
{
    struct mgmt_text t;
    char line[64];

    mgmt_text_init(&t, line, sizeof(line));
    mgmt_text_str(&t, slot == IMG_SLOT_PRIMARY ? "img: confirmed running image "
                                               : confirm ? "img: permanent upgrade of image "
                                                         : "img: test upgrade of image ");
    mgmt_text_uint(&t, srv->cfg.pairs[pi].image, 1);
    mgmt_log(srv, 'I', line);
}

/* The trailer write, as MCUboot's boot_set_next; 0 or an IMG code. */
static int write_trailer(const struct smp_server *srv, size_t pi, unsigned slot, bool confirm,
                         const struct img_pair_state *st)
{
    const struct trailer_config *cfg = &srv->cfg.trailer;
    int rc;

    if (slot == IMG_SLOT_PRIMARY) {
        rc = trailer_set_confirmed(img_slot_area(srv, pi, slot), cfg);
        if (rc == TRAILER_EBADMAGIC) {
            return SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE;
        }
    } else {
        /* MCUboot erases a slot whose trailer is corrupt; a refused request
         * must not change anything, so it is refused before that. */
        if (st->secondary_magic_bad) {
            return SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC;
        }
        rc = trailer_set_pending(img_slot_area(srv, pi, slot), cfg, confirm,
                                 srv->cfg.pairs[pi].image);
    }
    if (rc == TRAILER_EFLASH) {
        return SMP_IMG_ERR_FLASH_WRITE_FAILED;
    }
    return rc == TRAILER_OK ? 0 : SMP_IMG_ERR_UNKNOWN;
}

int img_state_write(struct mgmt_ctx *ctx)
{
    const struct smp_server *srv = ctx->srv;
    struct smp_cbor_field f[] = {
        {.key = "hash", .type = SMP_CBOR_BSTR},
        {.key = "confirm", .type = SMP_CBOR_BOOL},
    };
    struct img_pair_state st;
    bool confirm;
    bool done;
    size_t pi;
    unsigned slot;
    int rc = mgmt_decode(ctx, f, 2);

    if (rc != MGMT_OK) {
        return rc;
    }
    confirm = f[1].found && f[1].v.b;
    if (!f[0].found || f[0].v.str.len == 0) {
        int active;

        if (!confirm) {
            return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_HASH);
        }
        active = img_pair_index(srv, srv->cfg.active_image);
        if (active < 0) {
            return mgmt_group_err(ctx, SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN);
        }
        pi = (size_t)active;
        slot = IMG_SLOT_PRIMARY;
    } else {
        size_t n = f[0].v.str.len;

        if (n != 32 && n != 48 && n != 64) {
            return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_HASH);
        }
        if (!find_by_hash(srv, &f[0].v.str, &pi, &slot)) {
            b0_explain_missing(srv, &f[0].v.str);
            /* v1 clients see rc 3, as the mcumgr of NCS 1.9 (and the field
             * report) answered. */
            return mgmt_group_err_v1(ctx, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
        }
        /* Its reset vector points into the running bootloader, hence this
         * reason; v1 clients see IN_VALUE. */
        if (slot == IMG_SLOT_SECONDARY && b0_refused(srv, pi, &f[0].v.str)) {
            return mgmt_group_err_v1(ctx, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE,
                                     SMP_MGMT_EINVAL);
        }
    }
    img_pair_state(srv, pi, &st);
    rc = next_boot_policy(srv, pi, slot, confirm, &st, &done);
    if (rc == 0 && !done) {
        rc = write_trailer(srv, pi, slot, confirm, &st);
        if (rc == 0) {
            log_request(srv, pi, slot, confirm);
        }
    }
    if (rc != 0) {
        return mgmt_group_err(ctx, (uint16_t)rc);
    }
    encode_state(ctx);
    return MGMT_OK;
}
