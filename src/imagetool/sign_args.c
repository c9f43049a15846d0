#include "imagetool/sign_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "imagetool/errmsg.h"
#include "imagetool/version_parse.h"

enum {
    OPT_PAD_HEADER = 256,
    OPT_ALIGN,
    OPT_MAX_ALIGN,
    OPT_PAD,
    OPT_CONFIRM,
    OPT_TEST,
    OPT_OVERWRITE_ONLY,
    OPT_PUBKEY_FORMAT,
    OPT_SHA,
    OPT_ERASED_VAL,
    OPT_LOAD_ADDR,
};

static const struct option sign_options[] = {
    { "key", required_argument, NULL, 'k' },
    { "version", required_argument, NULL, 'v' },
    { "header-size", required_argument, NULL, 'H' },
    { "pad-header", no_argument, NULL, OPT_PAD_HEADER },
    { "slot-size", required_argument, NULL, 'S' },
    { "align", required_argument, NULL, OPT_ALIGN },
    { "max-align", required_argument, NULL, OPT_MAX_ALIGN },
    { "pad", no_argument, NULL, OPT_PAD },
    { "confirm", no_argument, NULL, OPT_CONFIRM },
    { "test", no_argument, NULL, OPT_TEST },
    { "security-counter", required_argument, NULL, 's' },
    { "overwrite-only", no_argument, NULL, OPT_OVERWRITE_ONLY },
    { "max-sectors", required_argument, NULL, 'M' },
    { "public-key-format", required_argument, NULL, OPT_PUBKEY_FORMAT },
    { "sha", required_argument, NULL, OPT_SHA },
    { "erased-val", required_argument, NULL, OPT_ERASED_VAL },
    { "load-addr", required_argument, NULL, OPT_LOAD_ADDR },
    { 0, 0, 0, 0 },
};

/* An integer as imgtool takes it: decimal, or 0x-prefixed hex. */
static int parse_num(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *s == '\0' || *s == '-' || *end != '\0' || v > max) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_sha(const char *arg, unsigned *sha)
{
    uint32_t v;

    if (strcmp(arg, "auto") == 0) {
        *sha = 0;
        return 0;
    }
    if (parse_num(arg, 512, &v) != 0 || (v != 256 && v != 384 && v != 512)) {
        return -1;
    }
    *sha = v;
    return 0;
}

static int sign_option(struct sign_args *a, int c, const char *arg, bool *have_version,
                       char *err, size_t err_len)
{
    struct sign_opts *o = &a->opts;
    uint32_t v;

    switch (c) {
    case 'k':
        a->key_path = arg;
        return 0;
    case 'v':
        if (version_parse(arg, &o->version) != 0) {
            return errmsg(err, err_len, "bad version %s (major.minor.revision+build)", arg);
        }
        *have_version = true;
        return 0;
    case 'H':
        if (parse_num(arg, UINT16_MAX, &v) != 0) {
            return errmsg(err, err_len, "bad header size %s", arg);
        }
        o->hdr_size = (uint16_t)v;
        return 0;
    case 'S':
        if (parse_num(arg, UINT32_MAX, &o->slot_size) != 0) {
            return errmsg(err, err_len, "bad slot size %s", arg);
        }
        return 0;
    case 'M':
        if (parse_num(arg, UINT16_MAX, &v) != 0 || v == 0) {
            return errmsg(err, err_len, "bad --max-sectors %s", arg);
        }
        o->max_sectors = (uint16_t)v;
        return 0;
    case 's':
        o->has_sec_cnt = true;
        o->sec_cnt_auto = strcmp(arg, "auto") == 0;
        if (!o->sec_cnt_auto && parse_num(arg, UINT32_MAX, &o->sec_cnt) != 0) {
            return errmsg(err, err_len, "bad security counter %s (a number or auto)", arg);
        }
        return 0;
    case OPT_ALIGN:
    case OPT_MAX_ALIGN:
        if (parse_num(arg, 32, &v) != 0) {
            return errmsg(err, err_len, "bad %s %s", c == OPT_ALIGN ? "--align" : "--max-align",
                        arg);
        }
        *(c == OPT_ALIGN ? &o->align : &o->max_align) = (uint8_t)v;
        return 0;
    case OPT_PAD_HEADER:
        o->pad_header = true;
        return 0;
    case OPT_PAD:
    case OPT_TEST:
        o->pad = true;
        return 0;
    case OPT_CONFIRM:
        o->confirm = true;
        return 0;
    case OPT_OVERWRITE_ONLY:
        o->overwrite_only = true;
        return 0;
    case OPT_PUBKEY_FORMAT:
        if (strcmp(arg, "hash") != 0 && strcmp(arg, "full") != 0) {
            return errmsg(err, err_len, "--public-key-format is hash or full, not %s", arg);
        }
        o->pubkey_full = strcmp(arg, "full") == 0;
        return 0;
    case OPT_SHA:
        if (parse_sha(arg, &o->sha) != 0) {
            return errmsg(err, err_len, "--sha is auto, 256, 384 or 512, not %s", arg);
        }
        return 0;
    case OPT_ERASED_VAL:
        if (parse_num(arg, 0xff, &v) != 0 || (v != 0 && v != 0xff)) {
            return errmsg(err, err_len, "--erased-val is 0 or 0xff, not %s", arg);
        }
        o->erased_val = (uint8_t)v;
        return 0;
    case OPT_LOAD_ADDR:
        if (parse_num(arg, UINT32_MAX, &o->load_addr) != 0) {
            return errmsg(err, err_len, "bad --load-addr %s", arg);
        }
        return 0;
    default:
        return errmsg(err, err_len, "unknown option (see --help)");
    }
}

int sign_args_parse(int argc, char **argv, struct sign_args *a, char *err, size_t err_len)
{
    bool have_version = false;
    int c;

    memset(a, 0, sizeof(*a));
    sign_opts_init(&a->opts);
    a->opts.align = 1;
    optind = 0; /* restart getopt: the caller may parse several command lines */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:v:H:S:s:M:", sign_options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            return errmsg(err, err_len, "unknown option or missing value: %s",
                        argv[optind - 1]);
        }
        if (sign_option(a, c, optarg, &have_version, err, err_len) != 0) {
            return -1;
        }
    }
    if (!have_version || a->opts.hdr_size == 0 || a->opts.slot_size == 0) {
        return errmsg(err, err_len, "-v VERSION, -H HEADER_SIZE and -S SLOT_SIZE are required");
    }
    if (argc - optind != 2) {
        return errmsg(err, err_len, "INFILE and OUTFILE are required");
    }
    a->in_path = argv[optind];
    a->out_path = argv[optind + 1];
    return 0;
}
