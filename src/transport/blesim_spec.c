#include "transport/blesim_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void blesim_params_default(struct blesim_params *p)
{
    *p = (struct blesim_params){
        .interval_us = 30000,
        .phy = BLESIM_PHY_1M,
        .att_mtu = 247,
        .dle = 251,
        .ppe = 4,
        .encrypted = false,
    };
}

static int parse_uint(const char *v, size_t len, unsigned long max, unsigned long *out)
{
    if (len == 0 || len > 10) {
        return -EINVAL;
    }
    unsigned long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return -EINVAL;
        }
        n = n * 10 + (unsigned long)(v[i] - '0');
    }
    if (n > max) {
        return -EINVAL;
    }
    *out = n;
    return 0;
}

/* Milliseconds with up to three decimals, in microseconds. */
static int parse_ms(const char *v, size_t len, uint32_t *us)
{
    const char *dot = memchr(v, '.', len);
    size_t ilen = dot ? (size_t)(dot - v) : len;
    unsigned long ms, frac = 0;
    if (parse_uint(v, ilen, 4000, &ms) != 0) {
        return -EINVAL;
    }
    if (dot) {
        size_t flen = len - ilen - 1;
        if (flen == 0 || flen > 3 || parse_uint(dot + 1, flen, 999, &frac) != 0) {
            return -EINVAL;
        }
        for (size_t i = flen; i < 3; i++) {
            frac *= 10;
        }
    }
    *us = (uint32_t)(ms * 1000 + frac);
    return 0;
}

static int set_option(struct blesim_params *p, const char *k, size_t klen, const char *v,
                      size_t vlen)
{
    unsigned long n;
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
    if (KEY("interval")) {
        return parse_ms(v, vlen, &p->interval_us);
    }
    if (KEY("phy")) {
        if (vlen == 2 && (v[0] == '1' || v[0] == '2') && (v[1] == 'M' || v[1] == 'm')) {
            p->phy = v[0] == '1' ? BLESIM_PHY_1M : BLESIM_PHY_2M;
            return 0;
        }
        return -EINVAL;
    }
    if (KEY("mtu")) {
        int rc = parse_uint(v, vlen, BLESIM_ATT_MTU_MAX, &n);
        p->att_mtu = (uint16_t)n;
        return rc;
    }
    if (KEY("dle")) {
        int rc = parse_uint(v, vlen, BLESIM_DLE_MAX, &n);
        p->dle = (uint16_t)n;
        return rc;
    }
    if (KEY("ppe")) {
        int rc = parse_uint(v, vlen, 65535, &n);
        p->ppe = (uint16_t)n;
        return rc;
    }
    if (KEY("enc")) {
        int rc = parse_uint(v, vlen, 1, &n);
        p->encrypted = n == 1;
        return rc;
    }
#undef KEY
    return -EINVAL;
}

int blesim_params_parse(const char *opts, struct blesim_params *p)
{
    if (!opts || !p) {
        return -EINVAL;
    }
    struct blesim_params tmp = *p;
    const char *s = opts;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        if (!eq) {
            return -EINVAL;
        }
        int rc = set_option(&tmp, s, (size_t)(eq - s), eq + 1, len - (size_t)(eq - s) - 1);
        if (rc) {
            return rc;
        }
        if (!end) {
            break;
        }
        s = end + 1;
        if (*s == '\0') {
            return -EINVAL;
        }
    }
    if (blesim_params_check(&tmp) != 0) {
        return -EINVAL;
    }
    *p = tmp;
    return 0;
}

int blesim_spec_parse(const char *spec, char *path, size_t path_cap, struct blesim_params *p)
{
    if (!spec || !path || !p) {
        return -EINVAL;
    }
    const char *comma = strchr(spec, ',');
    size_t plen = comma ? (size_t)(comma - spec) : strlen(spec);
    if (plen == 0) {
        return -EINVAL;
    }
    if (plen >= path_cap) {
        return -ENAMETOOLONG;
    }
    struct blesim_params tmp;
    blesim_params_default(&tmp);
    if (comma) {
        if (comma[1] == '\0') {
            return -EINVAL;
        }
        int rc = blesim_params_parse(comma + 1, &tmp);
        if (rc) {
            return rc;
        }
    }
    memcpy(path, spec, plen);
    path[plen] = '\0';
    *p = tmp;
    return 0;
}

int blesim_params_format(const struct blesim_params *p, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "interval=%u.%03u,phy=%s,mtu=%u,dle=%u,ppe=%u,enc=%d",
                     (unsigned)(p->interval_us / 1000), (unsigned)(p->interval_us % 1000),
                     p->phy == BLESIM_PHY_2M ? "2M" : "1M", (unsigned)p->att_mtu,
                     (unsigned)p->dle, (unsigned)p->ppe, p->encrypted ? 1 : 0);
    return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}
