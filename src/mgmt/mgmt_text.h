/*
 * A bounded text builder for replies and log lines, so the server needs no
 * stdio: appends strings, characters and zero-padded decimals, keeps the
 * buffer NUL-terminated, and remembers whether anything was cut off.
 */
#ifndef SMPDFU_MGMT_TEXT_H
#define SMPDFU_MGMT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mgmt_text {
    char *buf;
    size_t cap; /* bytes of buf, the NUL included */
    size_t len;
    bool overflow;
};

/* cap must be at least 1. */
void mgmt_text_init(struct mgmt_text *t, char *buf, size_t cap);
void mgmt_text_str(struct mgmt_text *t, const char *s);
void mgmt_text_char(struct mgmt_text *t, char c);
/* v in decimal, padded with zeros to at least min_digits. */
void mgmt_text_uint(struct mgmt_text *t, uint32_t v, unsigned min_digits);
/* The n bytes of b in lowercase hex. */
void mgmt_text_hex(struct mgmt_text *t, const uint8_t *b, size_t n);

/* s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF), as a CBOR text string must be. */
bool mgmt_utf8_valid(const uint8_t *s, size_t len);

#endif
