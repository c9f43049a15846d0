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
