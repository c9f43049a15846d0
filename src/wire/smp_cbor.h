/*
 * CBOR for SMP bodies over libcbor, allocation-free on both sides.
 *
 * Reading: a request body is one map. smp_cbor_read_map() walks it with
 * libcbor's streaming decoder and fills the fields the caller expects;
 * definite and indefinite maps are accepted, unknown keys (with any nested
 * value) are skipped, a known key with the wrong type is refused. Strings are
 * not copied: the result points into the input buffer.
 *
 * Writing: struct smp_cbor_writer encodes into a caller-owned buffer. An
 * overflow latches (like zcbor): later calls do nothing and
 * smp_cbor_writer_finish() reports SMP_CBOR_ENOMEM.
 */
#ifndef SMPDFU_SMP_CBOR_H
#define SMPDFU_SMP_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum smp_cbor_err {
    SMP_CBOR_OK = 0,
    SMP_CBOR_EDECODE = -1, /* not well-formed CBOR, truncated, or not a map */
    SMP_CBOR_ETYPE = -2,   /* a known key holds a value of another type */
    SMP_CBOR_ENOMEM = -3,  /* writer buffer full */
    SMP_CBOR_EDEPTH = -4,  /* nesting deeper than SMP_CBOR_MAX_DEPTH */
    SMP_CBOR_ETRAILING = -5, /* bytes after the map */
};

#define SMP_CBOR_MAX_DEPTH 16

enum smp_cbor_type {
    SMP_CBOR_UINT,  /* unsigned integer -> .u */
    SMP_CBOR_INT,   /* signed or unsigned integer that fits int64 -> .i */
    SMP_CBOR_BOOL,  /* true/false -> .b; an integer is accepted too (0 = false) */
    SMP_CBOR_TSTR,  /* definite text string -> .str */
    SMP_CBOR_BSTR,  /* definite byte string -> .str */
};

struct smp_cbor_str {
    const uint8_t *ptr; /* into the decoded buffer */
    size_t len;
};

struct smp_cbor_field {
    const char *key;          /* text-string key */
    enum smp_cbor_type type;
    bool found;               /* set by smp_cbor_read_map */
    union {
        uint64_t u;
        int64_t i;
        bool b;
        struct smp_cbor_str str;
    } v;
};

/* Decode the map in buf[0..len) into fields[0..n). Fields are reset first.
 * A key that appears twice keeps its last value. */
int smp_cbor_read_map(const uint8_t *buf, size_t len, struct smp_cbor_field *fields, size_t n);

struct smp_cbor_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;
};

void smp_cbor_writer_init(struct smp_cbor_writer *w, uint8_t *buf, size_t cap);
/* Indefinite-length containers, as Zephyr's server emits them. */
void smp_cbor_map_open(struct smp_cbor_writer *w);
void smp_cbor_array_open(struct smp_cbor_writer *w);
void smp_cbor_close(struct smp_cbor_writer *w); /* the break byte */
void smp_cbor_put_uint(struct smp_cbor_writer *w, uint64_t v);
void smp_cbor_put_int(struct smp_cbor_writer *w, int64_t v);
void smp_cbor_put_bool(struct smp_cbor_writer *w, bool v);
void smp_cbor_put_tstr(struct smp_cbor_writer *w, const char *s);
void smp_cbor_put_tstr_n(struct smp_cbor_writer *w, const char *s, size_t len);
void smp_cbor_put_bstr(struct smp_cbor_writer *w, const uint8_t *p, size_t len);
/* Convenience: text key followed by a value. */
void smp_cbor_put_key(struct smp_cbor_writer *w, const char *key);
/* Encoded length, or SMP_CBOR_ENOMEM if anything overflowed.
 * SMP_CBOR_OK stores the length in *len (when len is not NULL). */
int smp_cbor_writer_finish(const struct smp_cbor_writer *w, size_t *len);

#endif
