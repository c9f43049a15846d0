/*
 * Helpers shared by every group's handlers.
 */
#include "mgmt/mgmt_handler.h"

#include "wire/smp_err.h"

int mgmt_decode(const struct mgmt_ctx *ctx, struct smp_cbor_field *fields, size_t n)
{
    struct smp_cbor_field none;

    if (ctx->body_len == 0) {
        /* No body at all: nothing found, the same as an empty map. */
        for (size_t i = 0; i < n; i++) {
            fields[i].found = false;
        }
        return MGMT_OK;
    }
    if (fields == NULL) {
        fields = &none;
        n = 0;
    }
    if (smp_cbor_read_map(ctx->body, ctx->body_len, fields, n) != SMP_CBOR_OK) {
        return SMP_MGMT_EINVAL;
    }
    return MGMT_OK;
}

int mgmt_group_err(struct mgmt_ctx *ctx, uint16_t rc)
{
    return mgmt_group_err_v1(ctx, rc, MGMT_V1_TRANSLATE);
}

int mgmt_group_err_v1(struct mgmt_ctx *ctx, uint16_t rc, int v1)
{
    ctx->err_group = ctx->hdr->group;
    ctx->err_rc = rc;
    ctx->err_v1 = v1;
    return MGMT_GROUP_ERR;
}

void mgmt_log(const struct smp_server *srv, char level, const char *msg)
{
    if (srv->cfg.log != NULL) {
        srv->cfg.log(srv->cfg.ctx, level, msg);
    }
}
