/*
 * The boot decision for each image pair, in MCUboot's order
 * (boot_prepare_image_for_update, boot_perform_update,
 * boot_complete_partial_swap): resume, else decide and validate, then
 * swap, then mark the trailer, then validate what will run.
 */
#include "boot/loader.h"

#include <string.h>

#include "boot/boot_status.h"
#include "boot/byteorder.h"
#include "boot/loader_deps.h"
#include "boot/loader_log.h"
#include "boot/loader_nsib.h"
#include "boot/swap_move.h"
#include "boot/swap_overwrite.h"
#include "boot/swap_region.h"
#include "boot/swap_scratch.h"

struct loader_ctx {
    const struct loader_config *cfg;
    struct swap_pair sp;
    uint8_t image;
    uint32_t max_image_end; /* for image_validate */
};

const char *loader_strerror(int err)
{
    switch (err) {
    case LOADER_OK:
        return "ok";
    case LOADER_EINVAL:
        return "invalid loader configuration";
    case LOADER_EFLASH:
        return "flash operation failed";
    case LOADER_ENOBOOT:
        return "no bootable image";
    case LOADER_ECOUNTER:
        return "security counter storage failed";
    case LOADER_EROLLBACK:
        return "refused by rollback protection";
    case LOADER_EREBOOT:
        return "new bootloader copied; reset for the first stage";
    default:
        return "unknown error";
    }
}

static const char *swap_type_name(uint8_t t)
{
    switch (t) {
    case BOOT_SWAP_TYPE_NONE:
        return "none";
    case BOOT_SWAP_TYPE_TEST:
        return "test";
    case BOOT_SWAP_TYPE_PERM:
        return "perm";
    case BOOT_SWAP_TYPE_REVERT:
        return "revert";
    case BOOT_SWAP_TYPE_FAIL:
        return "fail";
    default:
        return "panic";
    }
}

static void emit(const struct loader_ctx *c, struct loader_line *l)
{
    if (c->cfg->log != NULL) {
        c->cfg->log(c->cfg->log_arg, l->level, l->buf);
    }
}

/* "Image N: " prefix so multi-image logs say which pair they are about. */
static void line_begin(const struct loader_ctx *c, struct loader_line *l, char level)
{
    loader_line_start(l, level, "Image ");
    loader_line_u32(l, c->image);
    loader_line_str(l, ": ");
}

static void log_text(const struct loader_ctx *c, char level, const char *a, const char *b)
{
    struct loader_line l;

    line_begin(c, &l, level);
    loader_line_str(&l, a);
    loader_line_str(&l, b);
    emit(c, &l);
}

static const char *magic_name(enum trailer_magic m)
{
    return m == TRAILER_MAGIC_GOOD ? "good" : m == TRAILER_MAGIC_UNSET ? "unset" : "bad";
}

static void log_trailer(const struct loader_ctx *c, const char *slot,
                        const struct trailer_state *st)
{
    struct loader_line l;

    line_begin(c, &l, 'I');
    loader_line_str(&l, slot);
    loader_line_str(&l, ": magic=");
    loader_line_str(&l, magic_name(st->magic));
    loader_line_str(&l, ", swap_type=");
    loader_line_hex(&l, st->swap_type);
    loader_line_str(&l, ", copy_done=");
    loader_line_hex(&l, (uint32_t)st->copy_done);
    loader_line_str(&l, ", image_ok=");
    loader_line_hex(&l, (uint32_t)st->image_ok);
    emit(c, &l);
}

/*
 * trailer_read, with one reading of MCUboot's own: a flag byte that is
 * neither erased nor 0x01 counts as set. Only 0x01 is ever written to a
 * flag, so such a byte is that write cut half-way (a torn write on a
 * flash whose write block is one byte); the write was made because the
 * step it marks was done. MCUboot reads it as "bad", which matches no
 * row of its tables: a test image whose copy_done tore would never be
 * reverted.
 */
static int read_trailer(const struct flash_area *fa, const struct trailer_config *cfg,
                        struct trailer_state *st)
{
    int rc = trailer_read(fa, cfg, st);

    if (rc == 0) {
        if (st->copy_done == TRAILER_FLAG_BAD) {
            st->copy_done = TRAILER_FLAG_SET;
        }
        if (st->image_ok == TRAILER_FLAG_BAD) {
            st->image_ok = TRAILER_FLAG_SET;
        }
    }
    return rc;
}

/* Why an image fails the rollback check, for the log; NULL if it passes. */
static const char *rollback_refusal(const struct loader_ctx *c, const struct image_result *res,
                                    int *rc)
{
    const struct loader_counter_ops *ops = c->cfg->counter;
    uint32_t stored;

    *rc = 0;
    if (ops == NULL) {
        return NULL;
    }
    if (!res->has_sec_cnt) {
        return "no security counter";
    }
    if (ops->get(ops->arg, c->image, &stored) != 0) {
        *rc = LOADER_ECOUNTER;
        return "security counter unreadable";
    }
    return res->sec_cnt < stored ? "security counter below the stored one" : NULL;
}

/* image_validate with the loader's policy; then, with rollback
 * protection, the security counter. *why names a rollback refusal. */
static int validate(const struct loader_ctx *c, const struct flash_area *fa,
                    struct image_result *res, const char **why)
{
    struct image_policy pol = c->cfg->policy;
    int rc;

    *why = NULL;
    pol.max_image_end = c->max_image_end;
    rc = image_validate(fa, &pol, res);
    if (rc == 0) {
        *why = rollback_refusal(c, res, &rc);
        if (*why != NULL && rc == 0) {
            rc = LOADER_EROLLBACK;
        }
    }
    return rc;
}

/* Bytes the image at the start of fa occupies through its last TLV; 0 if
 * there is no readable image. */
static uint32_t image_size_of(const struct flash_area *fa)
{
    struct image_header hdr;
    struct image_tlv_iter it;

    if (image_header_read(fa, &hdr) != 0 ||
        image_tlv_iter_begin(&it, fa, &hdr, IMAGE_TLV_ANY) != 0) {
        return 0;
    }
    return image_tlv_iter_end(&it);
}

static int erase_slot(const struct flash_area *fa)
{
    return swap_erase_region(fa, 0, fa->size) == 0 ? LOADER_OK : LOADER_EFLASH;
}

/*
 * Validate the candidate in the secondary slot. 1: valid; 0: no image
 * there (erased header), nothing to do; -1: invalid, and erased so it is
 * not tried again; LOADER_EFLASH or LOADER_ECOUNTER (below -1) when the
 * flash or the security counter failed.
 */
static int validate_candidate(const struct loader_ctx *c)
{
    struct image_result res;
    struct loader_line l;
    const char *why;
    int rc;

    rc = validate(c, c->sp.secondary, &res, &why);
    if (rc == 0) {
        return 1;
    }
    if (rc == IMAGE_EEMPTY) {
        log_text(c, 'W', "no image in the secondary slot", "");
        return 0;
    }
    if (rc == IMAGE_EFLASH) {
        return LOADER_EFLASH;
    }
    if (rc == LOADER_ECOUNTER) {
        return rc;
    }
    line_begin(c, &l, 'E');
    loader_line_str(&l, "Image in the secondary slot is not valid: ");
    loader_line_str(&l, why != NULL ? why : image_strerror(rc));
    loader_line_str(&l, "; erased");
    emit(c, &l);
    if (erase_slot(c->sp.secondary) != 0) {
        return LOADER_EFLASH;
    }
    return -1;
}

/* The protected SEC_CNT value of the image in fa; false if it has none. */
static bool read_sec_cnt(const struct flash_area *fa, uint32_t *value)
{
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t raw[IMAGE_SEC_CNT_TLV_LEN];

    if (image_header_read(fa, &hdr) != 0 ||
        image_tlv_iter_begin(&it, fa, &hdr, IMAGE_TLV_SEC_CNT) != 0 ||
        image_tlv_iter_next(&it, &tlv) != 1 || !tlv.protected_tlv ||
        tlv.len != IMAGE_SEC_CNT_TLV_LEN || flash_area_read(fa, tlv.off, raw, sizeof(raw)) != 0) {
        return false;
    }
    *value = boot_get_le32(raw);
    return true;
}

/* Is the candidate older than the running image (check_downgrade_prevention)? */
static bool is_downgrade(const struct loader_ctx *c)
{
    struct image_header pri;
    struct image_header sec;
    uint32_t cnt_pri;
    uint32_t cnt_sec;

    if (c->cfg->downgrade_by_security_counter) {
        /* A running image without a counter protects nothing; a candidate
         * without one cannot show it is newer. */
        if (!read_sec_cnt(c->sp.primary, &cnt_pri)) {
            return false;
        }
        return !read_sec_cnt(c->sp.secondary, &cnt_sec) || cnt_sec < cnt_pri;
    }
    /* Without a readable running image there is nothing to protect. */
    if (image_header_read(c->sp.primary, &pri) != 0 ||
        image_header_read(c->sp.secondary, &sec) != 0) {
        return false;
    }
    return image_version_cmp(&sec.ver, &pri.ver, false) < 0;
}

/* Downgrade prevention: 0 if the candidate may replace the primary,
 * 1 if it was refused (and erased). Applied to permanent requests as well
 * as tests: either would install the older image. */
static int check_downgrade(const struct loader_ctx *c)
{
    if (!c->cfg->downgrade_prevention || !is_downgrade(c)) {
        return 0;
    }
    log_text(c, 'W', "Image in the secondary slot erased due to downgrade prevention", "");
    return erase_slot(c->sp.secondary) == 0 ? 1 : LOADER_EFLASH;
}

/*
 * A swap-move revert first writes image_ok, swap_size and the magic into
 * the secondary trailer (fixup_revert). A cut inside that magic write
 * leaves it torn, which MCUboot's table reads as "nothing to do": the
 * unconfirmed image would then stay for good. Recognised by the other
 * two fields -- which no upgrade request writes together with a magic
 * that is not whole -- it still means the revert that was under way.
 */
static bool revert_fixup_torn(const struct loader_ctx *c, const struct trailer_state *pri,
                              const struct trailer_state *sec)
{
    return c->sp.trailer->mode == TRAILER_MODE_SWAP_MOVE && pri->magic == TRAILER_MAGIC_GOOD &&
           pri->image_ok == TRAILER_FLAG_UNSET && pri->copy_done == TRAILER_FLAG_SET &&
           sec->magic == TRAILER_MAGIC_BAD && sec->image_ok == TRAILER_FLAG_SET &&
           sec->swap_size_set && pri->swap_size_set && sec->swap_size == pri->swap_size;
}

/* The swap type the trailers ask for, with the candidate validated
 * (boot_validated_swap_type). */
static int validated_swap_type(const struct loader_ctx *c, uint8_t *type)
{
    struct trailer_state pri;
    struct trailer_state sec;
    const struct trailer_state *secp = &sec;
    int rc;

    if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0) {
        return LOADER_EFLASH;
    }
    /* An unreadable secondary trailer counts as empty. */
    if (read_trailer(c->sp.secondary, c->sp.trailer, &sec) != 0) {
        secp = NULL;
    }
    log_trailer(c, "Primary slot", &pri);
    if (secp != NULL) {
        log_trailer(c, "Secondary slot", &sec);
        if (revert_fixup_torn(c, &pri, &sec)) {
            log_text(c, 'W', "secondary trailer torn while a revert was starting; revert resumed",
                     "");
            sec.magic = TRAILER_MAGIC_UNSET;
        }
    }
    *type = (uint8_t)trailer_swap_type(c->sp.trailer, &pri, secp);
    if (*type != BOOT_SWAP_TYPE_TEST && *type != BOOT_SWAP_TYPE_PERM &&
        *type != BOOT_SWAP_TYPE_REVERT) {
        return LOADER_OK;
    }
    rc = validate_candidate(c);
    if (rc < -1) {
        return rc;
    }
    if (rc == 0) {
        *type = BOOT_SWAP_TYPE_NONE;
    } else if (rc == -1) {
        *type = BOOT_SWAP_TYPE_FAIL;
    } else if (*type != BOOT_SWAP_TYPE_REVERT) {
        rc = check_downgrade(c);
        if (rc < 0) {
            return rc;
        }
        if (rc == 1) {
            *type = BOOT_SWAP_TYPE_NONE;
        }
    }
    return LOADER_OK;
}

/* Status source of swap-using-move (swap_status_source): the primary,
 * while its trailer is started and the secondary's is no longer whole. */
static int move_status_source(const struct loader_ctx *c, uint8_t *source)
{
    struct trailer_state pri;
    struct trailer_state sec;

    if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0 ||
        read_trailer(c->sp.secondary, c->sp.trailer, &sec) != 0) {
        return LOADER_EFLASH;
    }
    *source = pri.magic == TRAILER_MAGIC_GOOD && pri.copy_done == TRAILER_FLAG_UNSET &&
                      sec.magic != TRAILER_MAGIC_GOOD
                  ? BOOT_STATUS_SOURCE_PRIMARY
                  : BOOT_STATUS_SOURCE_NONE;
    return LOADER_OK;
}

/* Read the records and trailer fields of the status area in fa. */
static int read_status_from(const struct loader_ctx *c, const struct flash_area *fa,
                            bool scratch, struct boot_status *bs, bool *inconsistent)
{
    struct trailer_state st;

    if (boot_status_read_records(fa, c->sp.trailer, scratch, bs, inconsistent) != 0 ||
        read_trailer(fa, c->sp.trailer, &st) != 0) {
        return LOADER_EFLASH;
    }
    bs->swap_type = st.swap_type;
    bs->swap_size = st.swap_size_set ? st.swap_size : 0;
    return LOADER_OK;
}

/* Where an interrupted swap stands (swap_read_status). */
static int read_status(const struct loader_ctx *c, struct boot_status *bs, bool *inconsistent)
{
    uint8_t source;
    int rc;

    *inconsistent = false;
    if (c->sp.trailer->mode == TRAILER_MODE_SWAP_SCRATCH) {
        if (swap_scratch_status_source(&c->sp, &source) != 0) {
            return LOADER_EFLASH;
        }
    } else {
        rc = move_status_source(c, &source);
        if (rc != 0) {
            return rc;
        }
    }
    if (source == BOOT_STATUS_SOURCE_SCRATCH) {
        struct trailer_state pri;
        struct boot_status in_primary;
        bool ignored;

        /*
         * The scratch trailer is erased only after the primary got its
         * trailer back and recorded the region's last state. A cut inside
         * that erase can leave the scratch trailer whole but its data
         * half erased; the primary's own records then show it is stale.
         */
        if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0) {
            return LOADER_EFLASH;
        }
        boot_status_reset(&in_primary);
        if (pri.magic == TRAILER_MAGIC_GOOD && pri.copy_done == TRAILER_FLAG_UNSET) {
            if (boot_status_read_records(c->sp.primary, c->sp.trailer, false, &in_primary,
                                         &ignored) != 0) {
                return LOADER_EFLASH;
            }
            if (in_primary.idx > 1) {
                source = BOOT_STATUS_SOURCE_PRIMARY;
            }
        }
    }
    bs->source = source;
    switch (source) {
    case BOOT_STATUS_SOURCE_PRIMARY:
        return read_status_from(c, c->sp.primary, false, bs, inconsistent);
    case BOOT_STATUS_SOURCE_SCRATCH:
        return read_status_from(c, c->sp.scratch, true, bs, inconsistent);
    default:
        return LOADER_OK;
    }
}

/* Trailer marks after a finished swap: image_ok for a permanent swap or a
 * revert (else the next boot would revert again), then copy_done. */
static int mark_swapped(const struct loader_ctx *c, uint8_t type)
{
    struct trailer_state pri;

    if (type == BOOT_SWAP_TYPE_PERM || type == BOOT_SWAP_TYPE_REVERT) {
        if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0) {
            return LOADER_EFLASH;
        }
        if (pri.image_ok == TRAILER_FLAG_UNSET &&
            trailer_write_image_ok(c->sp.primary, c->sp.trailer) != 0) {
            return LOADER_EFLASH;
        }
    }
    if (trailer_write_copy_done(c->sp.primary, c->sp.trailer) != 0) {
        return LOADER_EFLASH;
    }
    return LOADER_OK;
}

static int run_swap(const struct loader_ctx *c, struct boot_status *bs, uint32_t copy_size)
{
    int rc = c->sp.trailer->mode == TRAILER_MODE_SWAP_SCRATCH
                 ? swap_scratch_run(&c->sp, bs, copy_size)
                 : swap_move_run(&c->sp, bs, copy_size);

    if (rc == SWAP_ENOSPACE) {
        log_text(c, 'W', "Not enough free space to run swap upgrade", "");
        return 1;
    }
    return rc == 0 ? LOADER_OK : LOADER_EFLASH;
}

static int perform_swap(const struct loader_ctx *c, struct boot_status *bs, uint8_t type)
{
    uint32_t a;
    uint32_t b;
    int rc;

    log_text(c, 'I',
             c->sp.trailer->mode == TRAILER_MODE_SWAP_SCRATCH
                 ? "Starting swap using scratch algorithm, swap type: "
                 : "Starting swap using move algorithm, swap type: ",
             swap_type_name(type));
    a = image_size_of(c->sp.primary);
    b = image_size_of(c->sp.secondary);
    bs->swap_type = type;
    bs->swap_size = a > b ? a : b;
    rc = run_swap(c, bs, bs->swap_size);
    if (rc != 0) {
        return rc;
    }
    return mark_swapped(c, type);
}

static int resume_swap(const struct loader_ctx *c, struct boot_status *bs)
{
    struct loader_line l;
    int rc;

    line_begin(c, &l, 'W');
    loader_line_str(&l, "Resuming an interrupted swap (type ");
    loader_line_str(&l, swap_type_name(bs->swap_type));
    loader_line_str(&l, bs->op == BOOT_STATUS_OP_MOVE ? ", move step " : ", swap step ");
    loader_line_u32(&l, bs->idx);
    loader_line_str(&l, ".");
    loader_line_u32(&l, bs->state);
    loader_line_str(&l, ")");
    emit(c, &l);
    if (bs->swap_size == 0) {
        log_text(c, 'E', "swap size missing from the status area; swap abandoned", "");
        return LOADER_OK;
    }
    rc = run_swap(c, bs, bs->swap_size);
    if (rc != 0) {
        return rc < 0 ? rc : LOADER_OK;
    }
    return mark_swapped(c, bs->swap_type);
}

/* Slots fit the strategy; c->max_image_end set for validation. */
static bool swap_layout_ok(struct loader_ctx *c)
{
    struct trailer_offsets o;

    if (c->sp.trailer->mode == TRAILER_MODE_SWAP_SCRATCH) {
        if (swap_scratch_compatible(&c->sp) != 0) {
            log_text(c, 'W', "Cannot upgrade: slots are not compatible with swap-scratch", "");
            return false;
        }
        if (trailer_offsets(c->sp.trailer, c->sp.primary->size, &o) != 0) {
            return false;
        }
        c->max_image_end = o.max_image_end;
        return true;
    }
    if (swap_move_compatible(&c->sp) != 0) {
        log_text(c, 'W', "Cannot upgrade: slots are not compatible with swap-move", "");
        return false;
    }
    if (swap_move_max_image_size(&c->sp, &c->max_image_end) != 0) {
        log_text(c, 'W', "Cannot upgrade: no room for an image beside the trailer", "");
        return false;
    }
    return true;
}

/*
 * Phase 1 of a swap strategy: finish an interrupted swap (then nothing is
 * left to decide), else decide what the trailers ask, the candidate
 * validated. *type gets the decision, bs what the swap starts from.
 */
static int decide_swap(struct loader_ctx *c, struct loader_image *out, struct boot_status *bs,
                       uint8_t *type)
{
    bool inconsistent;
    int rc;

    *type = BOOT_SWAP_TYPE_NONE;
    if (!swap_layout_ok(c)) {
        return LOADER_OK;
    }
    boot_status_reset(bs);
    rc = read_status(c, bs, &inconsistent);
    if (rc != 0) {
        return rc;
    }
    if (inconsistent) {
        log_text(c, 'E', "Detected inconsistent status!", "");
    }
    if (!boot_status_is_reset(bs)) {
        out->resumed = true;
        out->swap_type = bs->swap_type;
        return resume_swap(c, bs);
    }
    if (bs->swap_type == BOOT_SWAP_TYPE_NONE) {
        return validated_swap_type(c, type);
    }
    /* The trailer was started but no step recorded: the request stands,
     * the candidate is checked again. */
    rc = validate_candidate(c);
    if (rc < -1) {
        return rc;
    }
    *type = rc == 1 ? bs->swap_type : rc == 0 ? BOOT_SWAP_TYPE_NONE : BOOT_SWAP_TYPE_FAIL;
    return LOADER_OK;
}

static int decide_overwrite(struct loader_ctx *c, uint8_t *type)
{
    struct trailer_offsets o;
    int rc;

    if (trailer_offsets(c->sp.trailer, c->sp.primary->size, &o) != 0) {
        return LOADER_EINVAL;
    }
    c->max_image_end = o.max_image_end;
    rc = validated_swap_type(c, type);
    /* Without a backup there is nothing to revert to. */
    if (*type == BOOT_SWAP_TYPE_REVERT) {
        *type = BOOT_SWAP_TYPE_NONE;
    }
    return rc;
}

/* One image pair through the boot. */
struct pair_plan {
    struct loader_ctx c;
    struct boot_status bs;
    uint8_t type; /* decided swap type, still to carry out */
    bool unvalidated; /* a revert the dependency check asked for */
};

static int decide(const struct loader_config *cfg, uint8_t image, struct pair_plan *p,
                  struct loader_image *out)
{
    memset(p, 0, sizeof(*p));
    p->c.cfg = cfg;
    p->c.image = image;
    p->c.sp.primary = cfg->pairs[image].primary;
    p->c.sp.secondary = cfg->pairs[image].secondary;
    p->c.sp.scratch = cfg->scratch;
    p->c.sp.trailer = &cfg->trailer;
    p->c.sp.image_num = image;
    p->type = BOOT_SWAP_TYPE_NONE;
    boot_status_reset(&p->bs);
    out->swap_type = BOOT_SWAP_TYPE_NONE;

    switch (cfg->trailer.mode) {
    case TRAILER_MODE_SWAP_MOVE:
        return decide_swap(&p->c, out, &p->bs, &p->type);
    case TRAILER_MODE_SWAP_SCRATCH:
        if (cfg->scratch == NULL) {
            log_text(&p->c, 'E', "Cannot upgrade: swap-scratch without a scratch area", "");
            return LOADER_OK;
        }
        return decide_swap(&p->c, out, &p->bs, &p->type);
    case TRAILER_MODE_OVERWRITE_ONLY:
        return decide_overwrite(&p->c, &p->type);
    default:
        /* A strategy this loader does not carry: no swap, the primary
         * boots as it is. */
        log_text(&p->c, 'E', "upgrade strategy not supported; the primary slot boots as it is",
                 "");
        return LOADER_OK;
    }
}

/* Phase 2: dependencies between the images (multi-image builds). */
static void check_dependencies(struct pair_plan *plans, size_t n)
{
    struct loader_dep_image imgs[LOADER_MAX_IMAGES];

    if (n < 2) {
        return;
    }
    memset(imgs, 0, sizeof(imgs));
    for (size_t i = 0; i < n; i++) {
        const struct flash_area *slots[2] = { plans[i].c.sp.primary, plans[i].c.sp.secondary };

        imgs[i].swap_type = plans[i].type;
        for (int s = 0; s < 2; s++) {
            struct image_header hdr;

            if (image_header_read(slots[s], &hdr) == 0) {
                imgs[i].present[s] = true;
                imgs[i].version[s] = hdr.ver;
                if (loader_read_deps(slots[s], imgs[i].deps[s], &imgs[i].dep_count[s]) != 0) {
                    imgs[i].dep_count[s] = 0;
                }
            }
        }
    }
    if (loader_resolve_dependencies(imgs, n) == 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (imgs[i].changed) {
            log_text(&plans[i].c, 'W', "dependency not met; swap type changed to ",
                     swap_type_name(imgs[i].swap_type));
            plans[i].type = imgs[i].swap_type;
            plans[i].unvalidated = plans[i].type == BOOT_SWAP_TYPE_REVERT;
        }
    }
}

/* Phase 3: carry out the decision. */
static int carry_out(struct pair_plan *p, struct loader_image *out)
{
    struct loader_ctx *c = &p->c;

    if (out->resumed) {
        return LOADER_OK;
    }
    if (p->unvalidated) {
        int rc = validate_candidate(c);

        if (rc < -1) {
            return rc;
        }
        if (rc != 1) {
            p->type = rc == 0 ? BOOT_SWAP_TYPE_NONE : BOOT_SWAP_TYPE_FAIL;
        }
    }
    log_text(c, 'I', "Swap type: ", swap_type_name(p->type));
    out->swap_type = p->type;
    switch (p->type) {
    case BOOT_SWAP_TYPE_TEST:
    case BOOT_SWAP_TYPE_PERM:
        if (c->sp.trailer->mode == TRAILER_MODE_OVERWRITE_ONLY) {
            log_text(c, 'I', "Copying the secondary slot to the primary slot", "");
            return swap_overwrite_run(&c->sp) == 0 ? LOADER_OK : LOADER_EFLASH;
        }
        return perform_swap(c, &p->bs, p->type);
    case BOOT_SWAP_TYPE_REVERT:
        return perform_swap(c, &p->bs, p->type);
    case BOOT_SWAP_TYPE_FAIL: {
        /* Pretend a revert to the running image just finished, so the
         * erased candidate's request cannot come back. */
        struct trailer_state pri;

        if (c->sp.trailer->mode == TRAILER_MODE_OVERWRITE_ONLY) {
            return LOADER_OK;
        }
        if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0) {
            return LOADER_EFLASH;
        }
        if (pri.image_ok == TRAILER_FLAG_UNSET &&
            trailer_write_image_ok(c->sp.primary, c->sp.trailer) != 0) {
            return LOADER_EFLASH;
        }
        return LOADER_OK;
    }
    default:
        return LOADER_OK;
    }
}

/* Rollback protection: once the running image is permanent, nothing
 * older may boot again (boot_update_hw_rollback_protection). */
static int raise_counter(const struct loader_ctx *c, const struct image_result *res)
{
    const struct loader_counter_ops *ops = c->cfg->counter;
    struct trailer_state pri;
    uint32_t stored;

    if (ops == NULL) {
        return LOADER_OK;
    }
    if (read_trailer(c->sp.primary, c->sp.trailer, &pri) != 0) {
        return LOADER_EFLASH;
    }
    /* A test image may still be reverted: its counter waits. */
    if (c->sp.trailer->mode != TRAILER_MODE_OVERWRITE_ONLY && pri.magic == TRAILER_MAGIC_GOOD &&
        pri.image_ok != TRAILER_FLAG_SET) {
        return LOADER_OK;
    }
    if (ops->get(ops->arg, c->image, &stored) != 0) {
        return LOADER_ECOUNTER;
    }
    if (res->sec_cnt > stored && ops->set(ops->arg, c->image, res->sec_cnt) != 0) {
        return LOADER_ECOUNTER;
    }
    return LOADER_OK;
}

/* Phase 4: what the primary slot holds now. */
static int check_primary(struct pair_plan *p, struct loader_image *out)
{
    struct loader_ctx *c = &p->c;
    struct loader_line l;
    const char *why;

    if (c->max_image_end == 0) {
        struct trailer_offsets o;

        if (trailer_offsets(c->sp.trailer, c->sp.primary->size, &o) == 0) {
            c->max_image_end = o.max_image_end;
        }
    }
    out->primary_rc = validate(c, c->sp.primary, &out->primary, &why);
    if (out->primary_rc == IMAGE_EFLASH) {
        return LOADER_EFLASH;
    }
    if (out->primary_rc == LOADER_ECOUNTER) {
        return LOADER_ECOUNTER;
    }
    out->bootable = out->primary_rc == 0;
    line_begin(c, &l, out->bootable ? 'I' : 'E');
    loader_line_str(&l, out->bootable ? "primary slot valid" : "primary slot not valid: ");
    if (!out->bootable) {
        loader_line_str(&l, why != NULL ? why : image_strerror(out->primary_rc));
    }
    emit(c, &l);
    return out->bootable ? raise_counter(c, &out->primary) : LOADER_OK;
}

static bool fatal(int rc)
{
    return rc == LOADER_EFLASH || rc == LOADER_EINVAL || rc == LOADER_ECOUNTER;
}

int loader_boot(const struct loader_config *cfg, struct loader_result *res)
{
    struct pair_plan plans[LOADER_MAX_IMAGES];
    int rc;

    if (cfg == NULL || res == NULL || cfg->pairs == NULL || cfg->pair_count == 0 ||
        cfg->pair_count > LOADER_MAX_IMAGES || trailer_config_check(&cfg->trailer) != 0) {
        return LOADER_EINVAL;
    }
    memset(res, 0, sizeof(*res));
    for (size_t i = 0; i < cfg->pair_count; i++) {
        if (cfg->pairs[i].primary == NULL || cfg->pairs[i].secondary == NULL) {
            return LOADER_EINVAL;
        }
    }
    res->image_count = cfg->pair_count;
    res->fs_target = -1;
    /* A bootloader candidate shares image 0's secondary slot; it is dealt
     * with before the pairs so it is never swapped in as an application. */
    if (cfg->first_stage != NULL) {
        rc = loader_nsib_candidate(cfg, res);
        if (rc != LOADER_OK) {
            return rc;
        }
    }
    /* Interrupted swaps are finished and every request decided before any
     * new swap starts: dependencies are judged on the whole picture. */
    for (size_t i = 0; i < cfg->pair_count; i++) {
        rc = decide(cfg, (uint8_t)i, &plans[i], &res->images[i]);
        if (fatal(rc)) {
            return rc;
        }
    }
    check_dependencies(plans, cfg->pair_count);
    /* A bootloader left in image 0's secondary slot (not asked for) is not
     * an application: nothing may swap it in, not even a revert (as NCS's
     * MCUboot, which checks the candidate's reset vector for image 0). */
    if (res->fs_target >= 0 && res->fs_action == LOADER_FS_NONE && !res->images[0].resumed &&
        plans[0].type != BOOT_SWAP_TYPE_NONE) {
        log_text(&plans[0].c, 'W', "the secondary slot holds a bootloader, not an application: ",
                 "no swap");
        plans[0].type = BOOT_SWAP_TYPE_NONE;
    }
    for (size_t i = 0; i < cfg->pair_count; i++) {
        rc = carry_out(&plans[i], &res->images[i]);
        if (fatal(rc)) {
            return rc;
        }
    }
    for (size_t i = 0; i < cfg->pair_count; i++) {
        rc = check_primary(&plans[i], &res->images[i]);
        if (fatal(rc)) {
            return rc;
        }
    }
    return res->images[0].bootable ? LOADER_OK : LOADER_ENOBOOT;
}
