/*
 * What a group's command handler sees and how it answers. A handler decodes
 * the request body, acts, and encodes its reply into the open response map;
 * it returns MGMT_OK, a base error (enum smp_mgmt_err, answered as {"rc": n}),
 * or MGMT_GROUP_ERR after recording a group error with mgmt_group_err(). The
 * dispatcher (smp_server.c) turns errors into the v1 or v2 form and throws
 * away whatever the handler had encoded.
 */
#ifndef SMPDFU_MGMT_HANDLER_H
#define SMPDFU_MGMT_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt/smp_server.h"
#include "wire/smp_cbor.h"
#include "wire/smp_header.h"

#define MGMT_OK 0
#define MGMT_GROUP_ERR (-1)
/* err_v1 value: translate the group code with smp_group_err_to_mgmt. */
#define MGMT_V1_TRANSLATE (-1)

struct mgmt_ctx {
    struct smp_server *srv;
    const struct smp_hdr *hdr;
    const uint8_t *body;
    size_t body_len;
    struct smp_cbor_writer *w;
    /* Set by mgmt_group_err. */
    uint16_t err_group;
    uint16_t err_rc;
    int err_v1;
};

typedef int (*mgmt_handler_fn)(struct mgmt_ctx *ctx);

/* The handlers of one command id, per request op; NULL: op not supported. */
struct mgmt_handler {
    mgmt_handler_fn read;
    mgmt_handler_fn write;
};

struct mgmt_group {
    uint16_t id;
    const struct mgmt_handler *handlers; /* indexed by command id */
    size_t handler_count;
};

/*
 * Decode the request body into fields (an empty body is an empty map).
 * Returns MGMT_OK, or SMP_MGMT_EINVAL for a body that is not one well-formed
 * map or a known key holding the wrong type.
 */
int mgmt_decode(const struct mgmt_ctx *ctx, struct smp_cbor_field *fields, size_t n);

/* Record group error rc of the request's group; returns MGMT_GROUP_ERR. */
int mgmt_group_err(struct mgmt_ctx *ctx, uint16_t rc);
/* Same, with the base code a v1 request gets instead of the translation. */
int mgmt_group_err_v1(struct mgmt_ctx *ctx, uint16_t rc, int v1);

/* One log line through the port, if there is one. */
void mgmt_log(const struct smp_server *srv, char level, const char *msg);

#endif
