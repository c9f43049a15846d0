/*
 * Image upload, as Zephyr's img_mgmt_upload with progressive erase:
 *  - the first chunk (off 0) carries "len", optionally "image", "sha" and
 *    "upgrade", and must start with an MCUboot header;
 *  - every reply is {"off": next expected offset}; a chunk at another offset
 *    is dropped and answered with the expected one (rc 0, like Zephyr);
 *  - the last chunk's reply adds "match" when the first chunk gave a "sha".
 * Refused requests change nothing: the upload in progress stays as it was.
 * A failed flash operation suspends the upload at its last record, as a
 * restart would (the next first chunk resumes there); without a record the
 * upload ends and the client starts over.
 */
#include "mgmt/img_mgmt_upload.h"

#include <string.h>

#include "crypto/crypto.h"
#include "mgmt/img_slots.h"
#include "mgmt/mgmt_text.h"
#include "wire/smp_err.h"

enum upload_field {
    UF_IMAGE,
    UF_DATA,
    UF_LEN,
    UF_OFF,
    UF_SHA,
    UF_UPGRADE,
    UF_COUNT,
};

static const struct flash_area *upload_area(const struct smp_server *srv)
{
    return img_slot_area(srv, srv->upload.pair, IMG_SLOT_SECONDARY);
}

static void upload_log(const struct smp_server *srv, char level, const char *what, uint32_t n)
{
    struct mgmt_text t;
    char line[80];

    mgmt_text_init(&t, line, sizeof(line));
    mgmt_text_str(&t, "img: upload to image ");
    mgmt_text_uint(&t, srv->cfg.pairs[srv->upload.pair].image, 1);
    mgmt_text_str(&t, what);
    mgmt_text_uint(&t, n, 1);
    mgmt_log(srv, level, line);
}

/* Forget the upload in progress, and its record if one was saved. */
static void upload_forget(struct smp_server *srv)
{
    if (srv->upload.saved_off != 0 && srv->cfg.upload_save != NULL) {
        (void)srv->cfg.upload_save(srv->cfg.ctx, NULL);
    }
    memset(&srv->upload, 0, sizeof(srv->upload));
}

/* After a flash failure: fall back to the last record, or forget. The
 * partial block and the erase progress are lost with the failed sector. */
static void upload_suspend(struct smp_server *srv)
{
    struct smp_server_upload *up = &srv->upload;

    if (up->saved_off == 0) {
        upload_forget(srv);
        return;
    }
    up->state = SMP_SERVER_UPLOAD_DORMANT;
    up->off = up->saved_off;
    up->flash_off = up->saved_off;
    up->erased_end = up->saved_off;
}

bool img_upload_targets(const struct smp_server *srv, size_t pi)
{
    return srv->upload.state != SMP_SERVER_UPLOAD_IDLE && srv->upload.pair == pi;
}

void img_upload_abandon(struct smp_server *srv, size_t pi)
{
    if (img_upload_targets(srv, pi)) {
        upload_forget(srv);
    }
}

static bool sector_start(const struct flash_area *fa, uint32_t off)
{
    struct flash_sector sec;

    return flash_area_sector_at(fa, off, &sec) == 0 && sec.off == off;
}

void img_upload_restore(struct smp_server *srv)
{
    const struct smp_server_config *cfg = &srv->cfg;
    struct smp_server_upload *up = &srv->upload;
    struct smp_upload_record rec;
    int pi;

    if (cfg->upload_load == NULL || cfg->upload_load(cfg->ctx, &rec) != 0) {
        return;
    }
    pi = img_pair_index(srv, rec.image);
    if (pi < 0 || rec.sha_len == 0 || rec.sha_len > SMP_SERVER_SHA_MAX || rec.off == 0 ||
        rec.off >= rec.len || rec.len > img_max_image_size(srv, (size_t)pi) ||
        !sector_start(img_slot_area(srv, (size_t)pi, IMG_SLOT_SECONDARY), rec.off)) {
        mgmt_log(srv, 'W', "img: upload record does not fit the slots; forgotten");
        if (cfg->upload_save != NULL) {
            (void)cfg->upload_save(cfg->ctx, NULL);
        }
        return;
    }
    memset(up, 0, sizeof(*up));
    up->state = SMP_SERVER_UPLOAD_DORMANT;
    up->pair = (uint8_t)pi;
    up->sha_len = rec.sha_len;
    memcpy(up->sha, rec.sha, rec.sha_len);
    up->len = rec.len;
    up->off = rec.off;
    up->flash_off = rec.off;
    up->erased_end = rec.off;
    up->saved_off = rec.off;
    upload_log(srv, 'I', " was interrupted; can resume at offset ", rec.off);
}

/* ---- writing ------------------------------------------------------------ */

/* Erase (unless already blank) every sector from erased_end up to end. */
static int upload_erase_to(struct smp_server *srv, uint32_t end)
{
    const struct flash_area *fa = upload_area(srv);
    struct smp_server_upload *up = &srv->upload;

    while (up->erased_end < end) {
        struct flash_sector sec;
        int rc = flash_area_sector_at(fa, up->erased_end, &sec);

        if (rc == 0) {
            rc = flash_area_erase_needed(fa, sec.off, sec.size);
        }
        if (rc != 0) {
            return SMP_IMG_ERR_FLASH_ERASE_FAILED;
        }
        up->erased_end = sec.off + sec.size;
    }
    return 0;
}

/* Program n bytes (whole write blocks) at flash_off, erasing ahead. */
static int upload_program(struct smp_server *srv, const uint8_t *buf, uint32_t n)
{
    struct smp_server_upload *up = &srv->upload;
    int rc = upload_erase_to(srv, up->flash_off + n);

    if (rc != 0) {
        return rc;
    }
    if (flash_area_write(upload_area(srv), up->flash_off, buf, n) != 0) {
        return SMP_IMG_ERR_FLASH_WRITE_FAILED;
    }
    up->flash_off += n;
    return 0;
}

/* Take n bytes at off: whole blocks go to flash, a partial one waits. */
static int upload_write(struct smp_server *srv, const uint8_t *data, size_t n)
{
    struct smp_server_upload *up = &srv->upload;
    uint32_t wb = flash_area_align(upload_area(srv));
    int rc = 0;

    while (n > 0 && rc == 0) {
        uint32_t carry = up->off - up->flash_off;

        if (carry > 0 || n < wb) {
            uint32_t take = wb - carry < n ? wb - carry : (uint32_t)n;

            memcpy(up->carry + carry, data, take);
            up->off += take;
            data += take;
            n -= take;
            if (carry + take == wb) {
                rc = upload_program(srv, up->carry, wb);
            }
        } else {
            uint32_t whole = (uint32_t)(n - n % wb);

            rc = upload_program(srv, data, whole);
            up->off += whole;
            data += whole;
            n -= whole;
        }
    }
    return rc;
}

/* Keep the record in step: once per sector the upload enters. */
static void upload_checkpoint(struct smp_server *srv)
{
    struct smp_server_upload *up = &srv->upload;
    const struct smp_server_config *cfg = &srv->cfg;
    struct smp_upload_record rec;
    struct flash_sector sec;

    if (cfg->upload_save == NULL ||
        flash_area_sector_at(upload_area(srv), up->flash_off, &sec) != 0 ||
        sec.off <= up->saved_off) {
        return;
    }
    memset(&rec, 0, sizeof(rec));
    rec.image = cfg->pairs[up->pair].image;
    rec.sha_len = up->sha_len;
    memcpy(rec.sha, up->sha, up->sha_len);
    rec.len = up->len;
    rec.off = sec.off;
    if (cfg->upload_save(cfg->ctx, &rec) == 0) {
        up->saved_off = sec.off;
    }
}

/* SHA-256 of the first len bytes of the slot, read back from flash. */
static int upload_hash(struct smp_server *srv, uint8_t digest[32])
{
    const struct flash_area *fa = upload_area(srv);
    struct crypto_hash_ctx hc;
    uint32_t done = 0;

    if (crypto_hash_init(&hc, CRYPTO_SHA256) != CRYPTO_OK) {
        return SMP_IMG_ERR_UNKNOWN;
    }
    while (done < srv->upload.len) {
        uint32_t n = srv->upload.len - done;

        if (n > sizeof(srv->scratch)) {
            n = sizeof(srv->scratch);
        }
        if (flash_area_read(fa, done, srv->scratch, n) != 0) {
            return SMP_IMG_ERR_FLASH_READ_FAILED;
        }
        if (crypto_hash_update(&hc, srv->scratch, n) != CRYPTO_OK) {
            return SMP_IMG_ERR_UNKNOWN;
        }
        done += n;
    }
    return crypto_hash_finish(&hc, digest) == CRYPTO_OK ? 0 : SMP_IMG_ERR_UNKNOWN;
}

/*
 * All bytes are in: flush the partial block (padded with the erased value),
 * make sure no stale trailer is left in the slot (a leftover magic would
 * read as an upgrade request), and check the data against "sha".
 */
static int upload_complete(struct smp_server *srv, bool *match)
{
    struct smp_server_upload *up = &srv->upload;
    const struct flash_area *fa = upload_area(srv);
    uint32_t carry = up->off - up->flash_off;
    uint32_t trailer_start = fa->size - trailer_size(&srv->cfg.trailer);
    struct flash_sector sec;
    uint8_t digest[32];
    int rc = 0;

    if (carry > 0) {
        uint32_t wb = flash_area_align(fa);

        memset(up->carry + carry, flash_area_erased_val(fa), wb - carry);
        rc = upload_program(srv, up->carry, wb);
    }
    if (rc == 0) {
        /* Sectors erased during this upload hold image data and no trailer;
         * the trailer sectors above them are erased now. */
        if (flash_area_sector_at(fa, trailer_start, &sec) != 0) {
            return SMP_IMG_ERR_FLASH_ERASE_FAILED;
        }
        if (sec.off > up->erased_end) {
            up->erased_end = sec.off;
        }
        rc = upload_erase_to(srv, fa->size);
    }
    if (rc == 0) {
        rc = upload_hash(srv, digest);
    }
    if (rc != 0) {
        return rc;
    }
    *match = up->sha_len > 0 && memcmp(digest, up->sha, up->sha_len) == 0;
    return 0;
}

/* ---- replies ------------------------------------------------------------ */

static int reply_off(struct mgmt_ctx *ctx, uint32_t off)
{
    smp_cbor_put_key(ctx->w, "off");
    smp_cbor_put_uint(ctx->w, off);
    return MGMT_OK;
}

/* Write a chunk at the expected offset; finish the upload on its last byte. */
static int upload_take(struct mgmt_ctx *ctx, const struct smp_cbor_str *data)
{
    struct smp_server *srv = ctx->srv;
    struct smp_server_upload *up = &srv->upload;
    bool has_sha = up->sha_len > 0;
    bool match = false;
    uint32_t len = up->len;
    int rc = upload_write(srv, data->ptr, data->len);

    if (rc == 0 && up->off < up->len) {
        upload_checkpoint(srv);
        return reply_off(ctx, up->off);
    }
    if (rc == 0) {
        rc = upload_complete(srv, &match);
    }
    if (rc != 0) {
        upload_log(srv, 'E', " failed at offset ", up->off);
        upload_suspend(srv);
        return mgmt_group_err(ctx, (uint16_t)rc);
    }
    upload_log(srv, 'I', match || !has_sha ? " complete, bytes: " : " complete but sha differs, bytes: ",
               len);
    upload_forget(srv);
    reply_off(ctx, len);
    if (has_sha) {
        smp_cbor_put_key(ctx->w, "match");
        smp_cbor_put_bool(ctx->w, match);
    }
    return MGMT_OK;
}

/* ---- first chunk -------------------------------------------------------- */

static bool same_upload(const struct smp_server *srv, const struct smp_cbor_field *f,
                        uint64_t image)
{
    const struct smp_server_upload *up = &srv->upload;
    const struct smp_cbor_str *sha = &f[UF_SHA].v.str;

    return up->state != SMP_SERVER_UPLOAD_IDLE && f[UF_SHA].found && sha->len > 0 &&
           sha->len == up->sha_len && memcmp(sha->ptr, up->sha, sha->len) == 0 &&
           f[UF_LEN].v.u == up->len && image == srv->cfg.pairs[up->pair].image;
}

/* The same upload again: answer where it stands. After a restart, the sector
 * that was being written when power went is erased again first. */
static int upload_resume(struct mgmt_ctx *ctx)
{
    struct smp_server *srv = ctx->srv;
    struct smp_server_upload *up = &srv->upload;

    if (up->state == SMP_SERVER_UPLOAD_DORMANT) {
        up->erased_end = up->off;
        if (upload_erase_to(srv, up->off + 1) != 0) {
            upload_log(srv, 'E', " could not resume; erase failed at ", up->off);
            up->erased_end = up->off;
            return mgmt_group_err(ctx, SMP_IMG_ERR_FLASH_ERASE_FAILED);
        }
        up->state = SMP_SERVER_UPLOAD_ACTIVE;
    }
    upload_log(srv, 'I', " resumed at offset ", up->off);
    return reply_off(ctx, up->off);
}

/* Checks of a new upload that need the target pair; 0 or an IMG code. */
static int upload_check_target(struct smp_server *srv, size_t pi, const struct smp_cbor_field *f,
                               const struct image_header *hdr)
{
    const struct flash_area *fa = img_slot_area(srv, pi, IMG_SLOT_SECONDARY);
    uint32_t wb = flash_area_align(fa);
    struct img_pair_state st;
    uint64_t len = f[UF_LEN].v.u;

    img_pair_state(srv, pi, &st);
    if (img_secondary_in_use(&st)) {
        return SMP_IMG_ERR_NO_FREE_SLOT;
    }
    /* The final block is padded up to the write block: that must fit too. */
    if (len > img_max_image_size(srv, pi) ||
        (len + wb - 1) / wb * wb > img_max_image_size(srv, pi)) {
        return SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE;
    }
    if (f[UF_DATA].v.str.len > len) {
        return SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN;
    }
    if (f[UF_UPGRADE].found && f[UF_UPGRADE].v.b) {
        struct image_header running;

        if (image_header_read(img_slot_area(srv, pi, IMG_SLOT_PRIMARY), &running) != IMAGE_OK) {
            return SMP_IMG_ERR_VERSION_GET_FAILED;
        }
        if (image_version_cmp(&running.ver, &hdr->ver, srv->cfg.version_cmp_use_build) >= 0) {
            return SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER;
        }
    }
    return 0;
}

static int upload_first(struct mgmt_ctx *ctx, const struct smp_cbor_field *f)
{
    struct smp_server *srv = ctx->srv;
    struct smp_server_upload *up = &srv->upload;
    const struct smp_cbor_str *data = &f[UF_DATA].v.str;
    uint64_t image = f[UF_IMAGE].found ? f[UF_IMAGE].v.u : 0;
    struct image_header hdr;
    uint64_t described;
    int pi;
    int rc;

    if (!f[UF_DATA].found || data->len < IMAGE_HEADER_SIZE) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (!f[UF_LEN].found) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_LENGTH);
    }
    image_header_decode(data->ptr, &hdr);
    if (hdr.magic != IMAGE_MAGIC) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    }
    /* The image the header describes, with at least a TLV info, must lie
     * within len: otherwise len or the header is wrong. */
    described = (uint64_t)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size + IMAGE_TLV_INFO_SIZE;
    if (hdr.hdr_size < IMAGE_HEADER_SIZE || described > f[UF_LEN].v.u) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (f[UF_SHA].found && f[UF_SHA].v.str.len > SMP_SERVER_SHA_MAX) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_HASH);
    }
    if (same_upload(srv, f, image)) {
        return upload_resume(ctx);
    }

    pi = image > 0xff ? -1 : img_pair_index(srv, (uint32_t)image);
    if (pi < 0) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_SLOT);
    }
    rc = upload_check_target(srv, (size_t)pi, f, &hdr);
    if (rc != 0) {
        return mgmt_group_err(ctx, (uint16_t)rc);
    }

    /* A new upload replaces whatever was in progress. */
    upload_forget(srv);
    up->state = SMP_SERVER_UPLOAD_ACTIVE;
    up->pair = (uint8_t)pi;
    up->len = (uint32_t)f[UF_LEN].v.u;
    if (f[UF_SHA].found) {
        up->sha_len = (uint8_t)f[UF_SHA].v.str.len;
        memcpy(up->sha, f[UF_SHA].v.str.ptr, up->sha_len);
    }
    upload_log(srv, 'I', " started, bytes: ", up->len);
    return upload_take(ctx, data);
}

/* ---- handler ------------------------------------------------------------ */

int img_upload(struct mgmt_ctx *ctx)
{
    struct smp_server_upload *up = &ctx->srv->upload;
    struct smp_cbor_field f[UF_COUNT] = {
        [UF_IMAGE] = {.key = "image", .type = SMP_CBOR_UINT},
        [UF_DATA] = {.key = "data", .type = SMP_CBOR_BSTR},
        [UF_LEN] = {.key = "len", .type = SMP_CBOR_UINT},
        [UF_OFF] = {.key = "off", .type = SMP_CBOR_UINT},
        [UF_SHA] = {.key = "sha", .type = SMP_CBOR_BSTR},
        [UF_UPGRADE] = {.key = "upgrade", .type = SMP_CBOR_BOOL},
    };
    const struct smp_cbor_str *data = &f[UF_DATA].v.str;
    uint64_t off;
    int rc = mgmt_decode(ctx, f, UF_COUNT);

    if (rc != MGMT_OK) {
        return rc;
    }
    if (!f[UF_OFF].found) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_OFFSET);
    }
    off = f[UF_OFF].v.u;
    if (off == 0) {
        return upload_first(ctx, f);
    }
    /* Without a running upload the client must start over at 0. */
    if (up->state != SMP_SERVER_UPLOAD_ACTIVE) {
        return reply_off(ctx, 0);
    }
    if (off != up->off || !f[UF_DATA].found || data->len == 0) {
        return reply_off(ctx, up->off);
    }
    if (data->len > up->len - up->off) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    }
    return upload_take(ctx, data);
}
