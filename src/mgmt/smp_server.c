/*
 * The SMP server's front: configuration checks, splitting a packet into
 * requests, dispatch over the group tables, and the shape of every reply
 * (header with op+1, body one CBOR map; errors as {"rc": n} or, for SMP v2
 * group errors, {"err": {"group": g, "rc": r}}).
 */
#include "mgmt/smp_server.h"

#include <string.h>

#include "mgmt/basic_mgmt.h"
#include "mgmt/img_mgmt.h"
#include "mgmt/img_mgmt_upload.h"
#include "mgmt/mgmt_handler.h"
#include "mgmt/os_mgmt.h"
#include "wire/smp_err.h"

/* Requests and replies below this cannot hold a useful exchange. */
#define SMP_SERVER_BUF_SIZE_MIN 64u
#define SMP_SERVER_BUF_SIZE_MAX (SMP_HDR_SIZE + 0xffffu)

static const struct mgmt_group *const groups[] = {
    &os_mgmt_group,
    &img_mgmt_group,
    &basic_mgmt_group,
};

static const struct mgmt_group *find_group(uint16_t id)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (groups[i]->id == id) {
            return groups[i];
        }
    }
    return NULL;
}

/* ---- configuration ------------------------------------------------------ */

static bool area_ok(const struct flash_area *fa)
{
    return fa != NULL && fa->dev != NULL && fa->size != 0 && fa->off <= fa->dev->size &&
           fa->size <= fa->dev->size - fa->off;
}

static bool areas_overlap(const struct flash_area *a, const struct flash_area *b)
{
    if (a == NULL || b == NULL || a->dev != b->dev) {
        return false;
    }
    return a->off < b->off + b->size && b->off < a->off + a->size;
}

/* Every area the server may write, for the overlap check. */
static const struct flash_area *config_area(const struct smp_server_config *cfg, size_t i)
{
    if (i == 2 * cfg->pair_count) {
        return cfg->storage;
    }
    return i % 2 == 0 ? cfg->pairs[i / 2].primary : cfg->pairs[i / 2].secondary;
}

static bool pairs_ok(const struct smp_server_config *cfg)
{
    size_t areas = 2 * cfg->pair_count + 1;

    if (cfg->pair_count == 0) {
        return true;
    }
    if (cfg->pairs == NULL || cfg->pair_count > 8 ||
        trailer_config_check(&cfg->trailer) != TRAILER_OK) {
        return false;
    }
    for (size_t i = 0; i < cfg->pair_count; i++) {
        const struct smp_server_image_pair *p = &cfg->pairs[i];
        struct trailer_offsets to;

        /* The image number ends up in the trailer's swap_info nibble. */
        if (p->image > 0x0f || !area_ok(p->primary) || !area_ok(p->secondary) ||
            trailer_offsets(&cfg->trailer, p->primary->size, &to) != TRAILER_OK ||
            trailer_offsets(&cfg->trailer, p->secondary->size, &to) != TRAILER_OK) {
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (cfg->pairs[j].image == p->image) {
                return false;
            }
        }
    }
    for (size_t i = 0; i < areas; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct flash_area *a = config_area(cfg, i);
            const struct flash_area *b = config_area(cfg, j);

            if (a != NULL && (a == b || areas_overlap(a, b))) {
                return false;
            }
        }
    }
    return true;
}

int smp_server_init(struct smp_server *srv, const struct smp_server_config *cfg)
{
    if (srv == NULL || cfg == NULL) {
        return SMP_SERVER_EINVAL;
    }
    if (!pairs_ok(cfg) || (cfg->storage != NULL && !area_ok(cfg->storage))) {
        return SMP_SERVER_EINVAL;
    }
    if (cfg->buf_size != 0 &&
        (cfg->buf_size < SMP_SERVER_BUF_SIZE_MIN || cfg->buf_size > SMP_SERVER_BUF_SIZE_MAX)) {
        return SMP_SERVER_EINVAL;
    }
    memset(srv, 0, sizeof(*srv));
    srv->cfg = *cfg;
    if (srv->cfg.buf_size == 0) {
        srv->cfg.buf_size = SMP_SERVER_BUF_SIZE;
    }
    if (srv->cfg.buf_count == 0) {
        srv->cfg.buf_count = SMP_SERVER_BUF_COUNT;
    }
    img_upload_restore(srv);
    return SMP_SERVER_OK;
}

bool smp_server_take_reset(struct smp_server *srv)
{
    bool pending;

    if (srv == NULL) {
        return false;
    }
    pending = srv->reset_pending;
    srv->reset_pending = false;
    return pending;
}

/* ---- replies ---------------------------------------------------------------- */

/* Header of the reply to req: same group, seq and id, op + 1, and the
 * version the client spoke (at most v2). */
static void reply_header(const struct smp_hdr *req, size_t body_len, uint8_t *out)
{
    struct smp_hdr rsp = {
        .op = smp_rsp_op(req->op),
        .ver = req->ver > SMP_VER_2 ? SMP_VER_2 : req->ver,
        .len = (uint16_t)body_len,
        .group = req->group,
        .seq = req->seq,
        .id = req->id,
    };

    smp_hdr_encode(&rsp, out);
}

/* Finish the body in w and put the header in front; length or ENOSPACE. */
static int reply_finish(const struct smp_hdr *req, struct smp_cbor_writer *w, uint8_t *out)
{
    size_t body_len;

    if (smp_cbor_writer_finish(w, &body_len) != SMP_CBOR_OK) {
        return SMP_SERVER_ENOSPACE;
    }
    reply_header(req, body_len, out);
    return (int)(SMP_HDR_SIZE + body_len);
}

/* A reply that is only a base error: {"rc": rc}. */
static int reply_base_err(const struct smp_hdr *req, int rc, uint8_t *out, size_t cap)
{
    struct smp_cbor_writer w;

    smp_cbor_writer_init(&w, out + SMP_HDR_SIZE, cap - SMP_HDR_SIZE);
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "rc");
    smp_cbor_put_int(&w, rc);
    smp_cbor_close(&w);
    return reply_finish(req, &w, out);
}

/* A group error: v2 gets the error object, v1 the nearest base code. */
static int reply_group_err(const struct smp_hdr *req, const struct mgmt_ctx *ctx, uint8_t *out,
                           size_t cap)
{
    struct smp_cbor_writer w;

    smp_cbor_writer_init(&w, out + SMP_HDR_SIZE, cap - SMP_HDR_SIZE);
    smp_cbor_map_open(&w);
    if (req->ver == SMP_VER_2) {
        smp_cbor_put_key(&w, "err");
        smp_cbor_map_open(&w);
        smp_cbor_put_key(&w, "group");
        smp_cbor_put_uint(&w, ctx->err_group);
        smp_cbor_put_key(&w, "rc");
        smp_cbor_put_uint(&w, ctx->err_rc);
        smp_cbor_close(&w);
    } else {
        int rc = ctx->err_v1;

        if (rc == MGMT_V1_TRANSLATE) {
            rc = smp_group_err_to_mgmt(ctx->err_group, ctx->err_rc);
        }
        /* A failure must never read as success to a v1 client. */
        if (rc == SMP_MGMT_EOK) {
            rc = SMP_MGMT_EUNKNOWN;
        }
        smp_cbor_put_key(&w, "rc");
        smp_cbor_put_int(&w, rc);
    }
    smp_cbor_close(&w);
    return reply_finish(req, &w, out);
}

/* ---- dispatch --------------------------------------------------------------- */

static mgmt_handler_fn find_handler(const struct smp_hdr *hdr, int *rc)
{
    const struct mgmt_group *group = find_group(hdr->group);
    const struct mgmt_handler *h;
    mgmt_handler_fn fn;

    if (hdr->op != SMP_OP_READ && hdr->op != SMP_OP_WRITE) {
        *rc = SMP_MGMT_EINVAL;
        return NULL;
    }
    if (group == NULL || hdr->id >= group->handler_count) {
        *rc = SMP_MGMT_ENOTSUP;
        return NULL;
    }
    h = &group->handlers[hdr->id];
    fn = hdr->op == SMP_OP_READ ? h->read : h->write;
    if (fn == NULL) {
        *rc = SMP_MGMT_ENOTSUP;
    }
    return fn;
}

/*
 * One complete request. Sets *base_err when the reply is a base error, which
 * ends the processing of the packet.
 */
static int process_request(struct smp_server *srv, const struct smp_hdr *hdr, const uint8_t *body,
                           uint8_t *out, size_t cap, bool *base_err)
{
    struct smp_cbor_writer w;
    struct mgmt_ctx ctx = {
        .srv = srv,
        .hdr = hdr,
        .body = body,
        .body_len = hdr->len,
        .w = &w,
    };
    bool reset_before = srv->reset_pending;
    mgmt_handler_fn fn;
    int rc = MGMT_OK;
    int len;

    *base_err = false;
    if (hdr->ver > SMP_VER_2) {
        rc = SMP_MGMT_EUNSUPPORTED_TOO_NEW;
    } else {
        fn = find_handler(hdr, &rc);
        if (fn != NULL) {
            /* Every body must be one well-formed map, whatever the command. */
            rc = mgmt_decode(&ctx, NULL, 0);
            if (rc == MGMT_OK) {
                smp_cbor_writer_init(&w, out + SMP_HDR_SIZE, cap - SMP_HDR_SIZE);
                smp_cbor_map_open(&w);
                rc = fn(&ctx);
            }
        }
    }
    if (rc == MGMT_OK) {
        smp_cbor_close(&w);
        len = reply_finish(hdr, &w, out);
        if (len >= 0) {
            return len;
        }
        rc = SMP_MGMT_EMSGSIZE;
    }
    if (rc == MGMT_GROUP_ERR) {
        len = reply_group_err(hdr, &ctx, out, cap);
    } else {
        *base_err = true;
        len = reply_base_err(hdr, rc, out, cap);
    }
    /* A reset is only due once its success reply exists. */
    srv->reset_pending = reset_before;
    return len;
}

int smp_server_process(struct smp_server *srv, const uint8_t *req, size_t req_len, uint8_t *rsp,
                       size_t rsp_cap)
{
    size_t in = 0;
    size_t out = 0;

    if (srv == NULL || (req == NULL && req_len != 0) || rsp == NULL) {
        return SMP_SERVER_EINVAL;
    }
    while (req_len - in >= SMP_HDR_SIZE) {
        struct smp_hdr hdr;
        size_t body_avail = req_len - in - SMP_HDR_SIZE;
        size_t cap = rsp_cap - out;
        bool base_err = true;
        int len;

        (void)smp_hdr_decode(req + in, req_len - in, &hdr);
        if (hdr.op == SMP_OP_READ_RSP || hdr.op == SMP_OP_WRITE_RSP) {
            /* A response is not for a server: skip it, answering it
             * could start two servers talking forever. */
            if (hdr.len > body_avail) {
                break;
            }
            in += SMP_HDR_SIZE + hdr.len;
            continue;
        }
        if (cap > srv->cfg.buf_size) {
            cap = srv->cfg.buf_size;
        }
        if (cap <= SMP_HDR_SIZE) {
            len = SMP_SERVER_ENOSPACE;
        } else if (SMP_HDR_SIZE + (size_t)hdr.len > srv->cfg.buf_size) {
            len = reply_base_err(&hdr, SMP_MGMT_EMSGSIZE, rsp + out, cap);
        } else if (hdr.len > body_avail) {
            /* The header promised more than arrived. */
            len = reply_base_err(&hdr, SMP_MGMT_ECORRUPT, rsp + out, cap);
        } else {
            len = process_request(srv, &hdr, req + in + SMP_HDR_SIZE, rsp + out, cap, &base_err);
        }
        if (len < 0) {
            if (out == 0) {
                return SMP_SERVER_ENOSPACE;
            }
            break;
        }
        out += (size_t)len;
        if (base_err) {
            break;
        }
        in += SMP_HDR_SIZE + hdr.len;
    }
    return out == 0 ? SMP_SERVER_EDROP : (int)out;
}
