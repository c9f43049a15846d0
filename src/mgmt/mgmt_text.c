/*
 * Bounded text building without stdio.
 */
#include "mgmt/mgmt_text.h"

void mgmt_text_init(struct mgmt_text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->overflow = false;
    buf[0] = '\0';
}

void mgmt_text_char(struct mgmt_text *t, char c)
{
    if (t->len + 1 >= t->cap) {
        t->overflow = true;
        return;
    }
    t->buf[t->len++] = c;
    t->buf[t->len] = '\0';
}

void mgmt_text_str(struct mgmt_text *t, const char *s)
{
    while (*s != '\0') {
        mgmt_text_char(t, *s++);
    }
}

void mgmt_text_uint(struct mgmt_text *t, uint32_t v, unsigned min_digits)
{
    char digits[10];
    unsigned n = 0;

    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (min_digits > n) {
        mgmt_text_char(t, '0');
        min_digits--;
    }
    while (n > 0) {
        mgmt_text_char(t, digits[--n]);
    }
}

void mgmt_text_hex(struct mgmt_text *t, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        mgmt_text_char(t, digits[b[i] >> 4]);
        mgmt_text_char(t, digits[b[i] & 15u]);
    }
}

bool mgmt_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = s[i];
        size_t n;
        uint8_t lo = 0x80;
        uint8_t hi = 0xbf;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
            hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
        } else {
            return false;
        }
        if (len - i <= n) {
            return false;
        }
        /* The first continuation byte has the narrowed range. */
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= n; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}
