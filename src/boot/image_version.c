/*
 * Image versions: ordering as MCUboot's boot_compare_version and text as
 * Zephyr's img_mgmt prints it for mcumgr ("1.2.3", build number appended
 * as a fourth part only when it is not 0).
 */
#include "boot/image.h"

static int cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

int image_version_cmp(const struct image_version *a, const struct image_version *b,
                      bool with_build)
{
    int c;

    c = cmp_u32(a->major, b->major);
    if (c == 0) {
        c = cmp_u32(a->minor, b->minor);
    }
    if (c == 0) {
        c = cmp_u32(a->revision, b->revision);
    }
    if (c == 0 && with_build) {
        c = cmp_u32(a->build_num, b->build_num);
    }
    return c;
}

/* Append the decimal form of v at buf[*pos]; false if it does not fit with
 * a terminating NUL. */
static bool put_dec(char *buf, size_t len, size_t *pos, uint32_t v)
{
    char digits[10];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (len - *pos <= n) {
        return false;
    }
    while (n > 0) {
        buf[(*pos)++] = digits[--n];
    }
    return true;
}

static bool put_char(char *buf, size_t len, size_t *pos, char c)
{
    if (len - *pos <= 1) {
        return false;
    }
    buf[(*pos)++] = c;
    return true;
}

int image_version_to_str(const struct image_version *v, char *buf, size_t len)
{
    size_t pos = 0;
    bool ok;

    if (v == NULL || buf == NULL || len == 0) {
        return IMAGE_EINVAL;
    }
    ok = put_dec(buf, len, &pos, v->major) && put_char(buf, len, &pos, '.') &&
         put_dec(buf, len, &pos, v->minor) && put_char(buf, len, &pos, '.') &&
         put_dec(buf, len, &pos, v->revision);
    if (ok && v->build_num != 0) {
        ok = put_char(buf, len, &pos, '.') && put_dec(buf, len, &pos, v->build_num);
    }
    if (!ok) {
        buf[0] = '\0';
        return IMAGE_ENOSPACE;
    }
    buf[pos] = '\0';
    return (int)pos;
}
