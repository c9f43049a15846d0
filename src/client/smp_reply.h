/*
 * What a device answered: a response body as JSON (so commands, output and
 * --json share one shape) and its result code in both SMP dialects.
 */
#ifndef SMPDFU_CLIENT_SMP_REPLY_H
#define SMPDFU_CLIENT_SMP_REPLY_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A refusal: the base code ("rc") or, for SMP v2, a group's own code
 * ("err": {"group", "rc"}). */
struct smp_status {
    int rc;            /* base code, 0 when absent */
    bool group_err;    /* err{} present */
    uint16_t group;    /* err.group, or the request's group for a base code */
    int group_rc;
};

/* The CBOR map body as a cJSON object: byte strings become lowercase hex
 * text, other types map the obvious way. NULL if the body is not a
 * well-formed CBOR map. An empty body reads as an empty object. */
cJSON *smp_reply_to_json(const uint8_t *body, size_t len);

/* Reads "rc" and "err" ("ret" too, an alias some servers used) from a
 * decoded body; group is the request's. Returns true when it is a
 * refusal. */
bool smp_reply_status(const cJSON *body, uint16_t group, struct smp_status *st);

/* "image/IMG_MGMT_ERR_HASH_NOT_FOUND (rc 8): <hint>" into buf. */
void smp_status_describe(const struct smp_status *st, char *buf, size_t cap);
/* The short name of a group ("os", "image", ...), or "group N" in buf. */
const char *smp_group_name(uint16_t group, char *buf, size_t cap);
/* Name of the code alone, e.g. "IMG_MGMT_ERR_NO_FREE_SLOT". */
const char *smp_status_name(const struct smp_status *st);
/* What it means and what to do, one line. */
const char *smp_status_hint(const struct smp_status *st);

#endif
