#include "imagetool/version_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* One decimal field; *p advances past it. -1 if no digit or above max. */
static int parse_field(const char **p, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    const char *s = *p;

    if (!isdigit((unsigned char)*s)) {
        return -1;
    }
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (unsigned)(*s - '0');
        if (v > max) {
            return -1;
        }
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

int version_parse(const char *s, struct image_version *out)
{
    unsigned long long f[4] = { 0, 0, 0, 0 };
    static const unsigned long long max[3] = { 0xff, 0xff, 0xffff };

    if (s == NULL || out == NULL) {
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        if (parse_field(&s, max[i], &f[i]) != 0) {
            return -1;
        }
        if (*s != '.') {
            break;
        }
        if (i == 2) {
            return -1;
        }
        s++;
    }
    if (*s == '+') {
        s++;
        if (parse_field(&s, 0xffffffffULL, &f[3]) != 0) {
            return -1;
        }
    }
    if (*s != '\0') {
        return -1;
    }
    out->major = (uint8_t)f[0];
    out->minor = (uint8_t)f[1];
    out->revision = (uint16_t)f[2];
    out->build_num = (uint32_t)f[3];
    return 0;
}

void version_format(const struct image_version *v, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u+%lu", (unsigned)v->major, (unsigned)v->minor,
             (unsigned)v->revision, (unsigned long)v->build_num);
}
