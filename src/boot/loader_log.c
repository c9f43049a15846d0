/*
 * Log lines without stdio: the loader runs where printf may not exist.
 */
#include "boot/loader_log.h"

void loader_line_start(struct loader_line *l, char level, const char *text)
{
    l->level = level;
    l->len = 0;
    l->buf[0] = '\0';
    loader_line_str(l, text);
}

void loader_line_str(struct loader_line *l, const char *text)
{
    if (text == NULL) {
        return;
    }
    while (*text != '\0' && l->len + 1 < sizeof(l->buf)) {
        l->buf[l->len++] = *text++;
    }
    l->buf[l->len] = '\0';
}

static void put_digits(struct loader_line *l, uint32_t v, uint32_t base)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[12];
    size_t n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0 && l->len + 1 < sizeof(l->buf)) {
        l->buf[l->len++] = tmp[--n];
    }
    l->buf[l->len] = '\0';
}

void loader_line_u32(struct loader_line *l, uint32_t v)
{
    put_digits(l, v, 10);
}

void loader_line_hex(struct loader_line *l, uint32_t v)
{
    loader_line_str(l, "0x");
    put_digits(l, v, 16);
}
