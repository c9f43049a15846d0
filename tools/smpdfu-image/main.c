/*
 * smpdfu-image: keygen, getpub, sign, verify, dumpinfo with imgtool's verbs
 * and options; bootloader and pack for first-stage (NSIB) chains as the
 * nRF Connect SDK builds them. Argument parsing and file I/O only; the work
 * is done in src/imagetool and src/crypto.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium/utils.h>

#include "boot/image.h"
#include "keys/crypto_key.h"
#include "device/app_marker.h"
#include "imagetool/bootloader.h"
#include "imagetool/image_check.h"
#include "imagetool/image_dump.h"
#include "imagetool/image_sign.h"
#include "imagetool/pack.h"
#include "imagetool/sign_args.h"
#include "imagetool/version_parse.h"

#define EXIT_USAGE 2

static const char *prog = "smpdfu-image";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s COMMAND [OPTIONS]\n"
            "  keygen -t ecdsa-p256|ecdsa-p384|ed25519|rsa-2048|rsa-3072 -k KEY.pem\n"
            "  getpub -k KEY.pem [-e lang-c|c|pem|raw] [-o FILE]\n"
            "  sign -k KEY.pem -v VERSION -H HDR_SIZE [--pad-header] -S SLOT_SIZE\n"
            "       [--align N] [--max-align N] [--pad] [--confirm] [--test]\n"
            "       [-s N|auto] [--overwrite-only] [-M MAX_SECTORS]\n"
            "       [--public-key-format hash|full] [--sha auto|256|384|512]\n"
            "       [--erased-val 0xff|0] [--load-addr ADDR] INFILE OUTFILE\n"
            "  verify [-k KEY.pem] IMAGE\n"
            "  dumpinfo [--json] IMAGE\n"
            "  app-payload -b confirm|no-confirm|fail -n SIZE [--reset ADDR] OUT\n"
            "      a synthetic application for smpdfu-device whose marker says what it\n"
            "      does after boot (see src/device/app_marker.h); sign it like any binary\n"
            "  bootloader --fw-version N --b0-key KEY.pem [--mcuboot-key KEY.pem]\n"
            "       [-v MCUBOOT_VERSION] --s0-addr ADDR --s1-addr ADDR [--pad 0x200]\n"
            "       [-S SLOT_SIZE] [--hw-id 52] [--s1-input S1.bin] INFILE OUTDIR\n"
            "      S0 and S1 variants of a bootloader linked for S0 (+pad): fw_info,\n"
            "      first-stage signature, MCUboot wrapper; writes signed_by_b0_*.bin and\n"
            "      signed_by_mcuboot_and_b0_{mcuboot,s1_image}.bin into OUTDIR\n"
            "  pack mcuboot --s0 FILE --s1 FILE --board BOARD [--soc SOC] [--name N]\n"
            "       [--hw-id 52] -o dfu_mcuboot.zip\n"
            "  pack application --image FILE --load-address ADDR [--image-index N]\n"
            "       --board BOARD [--soc SOC] [--name N] -o dfu_application.zip\n",
            prog);
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0;
    size_t cap = 0;

    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *p;
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap);
            if (p == NULL) {
                free(buf);
                fclose(f);
                fprintf(stderr, "%s: %s: out of memory\n", prog, path);
                return -1;
            }
            buf = p;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: %s: read error\n", prog, path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    FILE *f;
    umask(022);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    if (chmod(path, mode) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    return 0;
}

static struct crypto_key *load_key(const char *path)
{
    struct crypto_key *key = NULL;
    int rc = crypto_key_load_file(path, &key);

    if (rc != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path,
                rc == CRYPTO_EBADKEY ? "not a key file imgtool writes (PEM: PKCS#8, SEC1, PKCS#1 "
                                       "or SubjectPublicKeyInfo of a supported type)"
                                     : "cannot read the key file");
        return NULL;
    }
    return key;
}

static int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "type", required_argument, NULL, 't' },
        { "key", required_argument, NULL, 'k' },
        { 0, 0, 0, 0 },
    };
    const char *type = NULL;
    const char *path = NULL;
    enum crypto_sig_type t;
    struct crypto_key *key = NULL;
    static char pem[16384];
    int c;

    while ((c = getopt_long(argc, argv, "t:k:", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            type = optarg;
            break;
        case 'k':
            path = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (type == NULL || path == NULL || optind != argc) {
        fprintf(stderr, "%s keygen: -t TYPE and -k FILE are required\n", prog);
        return EXIT_USAGE;
    }
    if (crypto_sig_type_from_name(type, &t) != 0) {
        fprintf(stderr, "%s keygen: unknown key type %s\n", prog, type);
        return EXIT_USAGE;
    }
    if (crypto_key_generate(t, &key) != 0 ||
        crypto_key_write_private_pem(key, pem, sizeof(pem)) != 0) {
        fprintf(stderr, "%s keygen: generating a %s key failed\n", prog, type);
        crypto_key_free(key);
        return EXIT_FAILURE;
    }
    crypto_key_free(key);
    return write_file(path, pem, strlen(pem), 0600) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const char *c_array_name(enum crypto_sig_type t)
{
    switch (t) {
    case CRYPTO_SIG_ED25519:
        return "ed25519_pub_key";
    case CRYPTO_SIG_RSA2048_PSS:
    case CRYPTO_SIG_RSA3072_PSS:
        return "rsa_pub_key";
    default:
        return "ecdsa_pub_key";
    }
}

static void print_c_array(FILE *out, const char *name, const uint8_t *p, size_t n)
{
    fprintf(out, "/* Public key for the bootloader; made by smpdfu-image getpub. */\n");
    fprintf(out, "const unsigned char %s[] = {", name);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s0x%02x,", i % 12 == 0 ? "\n    " : " ", p[i]);
    }
    fprintf(out, "\n};\nconst unsigned int %s_len = %zu;\n", name, n);
}

static int cmd_getpub(int argc, char **argv)
{
    static const struct option opts[] = {
        { "key", required_argument, NULL, 'k' },
        { "encoding", required_argument, NULL, 'e' },
        { "output", required_argument, NULL, 'o' },
        { 0, 0, 0, 0 },
    };
    const char *path = NULL;
    const char *enc = "lang-c";
    const char *outpath = NULL;
    struct crypto_key *key;
    uint8_t der[2048];
    size_t der_len;
    static char pem[8192];
    FILE *out = stdout;
    int rc = EXIT_SUCCESS;
    int c;

    while ((c = getopt_long(argc, argv, "k:e:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 'e':
            enc = optarg;
            break;
        case 'o':
            outpath = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (path == NULL || optind != argc) {
        fprintf(stderr, "%s getpub: -k FILE is required\n", prog);
        return EXIT_USAGE;
    }
    if (strcmp(enc, "lang-c") != 0 && strcmp(enc, "c") != 0 && strcmp(enc, "pem") != 0 &&
        strcmp(enc, "raw") != 0) {
        fprintf(stderr, "%s getpub: unknown encoding %s (lang-c, pem, raw)\n", prog, enc);
        return EXIT_USAGE;
    }
    key = load_key(path);
    if (key == NULL) {
        return EXIT_FAILURE;
    }
    if (crypto_key_public_der(key, der, sizeof(der), &der_len) != 0 ||
        crypto_key_write_public_pem(key, pem, sizeof(pem)) != 0) {
        fprintf(stderr, "%s getpub: cannot encode the public key\n", prog);
        crypto_key_free(key);
        return EXIT_FAILURE;
    }
    if (outpath != NULL) {
        out = fopen(outpath, "wb");
        if (out == NULL) {
            fprintf(stderr, "%s getpub: %s: %s\n", prog, outpath, strerror(errno));
            crypto_key_free(key);
            return EXIT_FAILURE;
        }
    }
    if (strcmp(enc, "pem") == 0) {
        fputs(pem, out);
    } else if (strcmp(enc, "raw") == 0) {
        fwrite(der, 1, der_len, out);
    } else {
        print_c_array(out, c_array_name(crypto_key_type(key)), der, der_len);
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "%s getpub: %s: %s\n", prog, outpath, strerror(errno));
        rc = EXIT_FAILURE;
    }
    crypto_key_free(key);
    return rc;
}

static int cmd_sign(int argc, char **argv)
{
    struct sign_args a;
    struct crypto_key *key = NULL;
    uint8_t *in = NULL;
    uint8_t *img = NULL;
    size_t in_len;
    size_t img_len;
    char err[256];
    int rc = EXIT_FAILURE;

    if (sign_args_parse(argc, argv, &a, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s sign: %s\n", prog, err);
        return EXIT_USAGE;
    }
    if (a.key_path != NULL && (key = load_key(a.key_path)) == NULL) {
        return EXIT_FAILURE;
    }
    a.opts.key = key;
    if (read_file(a.in_path, &in, &in_len) == 0) {
        if (image_sign(in, in_len, &a.opts, &img, &img_len, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s sign: %s\n", prog, err);
        } else if (write_file(a.out_path, img, img_len, 0644) == 0) {
            rc = EXIT_SUCCESS;
        }
    }
    free(in);
    free(img);
    crypto_key_free(key);
    return rc;
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        { "key", required_argument, NULL, 'k' },
        { 0, 0, 0, 0 },
    };
    const char *keypath = NULL;
    struct crypto_key *key = NULL;
    struct image_result res;
    uint8_t *img;
    size_t len;
    char ver[48];
    int rc;
    int c;

    while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        if (c != 'k') {
            return EXIT_USAGE;
        }
        keypath = optarg;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "%s verify: one IMAGE is required\n", prog);
        return EXIT_USAGE;
    }
    if (keypath != NULL && (key = load_key(keypath)) == NULL) {
        return EXIT_FAILURE;
    }
    if (read_file(argv[optind], &img, &len) != 0) {
        crypto_key_free(key);
        return EXIT_FAILURE;
    }
    rc = image_check(img, len, key, &res);
    free(img);
    crypto_key_free(key);
    if (rc != 0) {
        fprintf(stderr, "Image verification failed: %s", image_strerror(rc));
        if (res.bad_tlv_type != 0) {
            const char *name = image_tlv_type_name(res.bad_tlv_type);
            fprintf(stderr, " (TLV 0x%02x %s at offset 0x%x)", res.bad_tlv_type,
                    name ? name : "UNKNOWN", (unsigned)res.bad_tlv_off);
        }
        fputc('\n', stderr);
        return EXIT_FAILURE;
    }
    version_format(&res.hdr.ver, ver, sizeof(ver));
    printf("Image was correctly validated%s\n", key ? "" : " (hash only: no key given)");
    printf("Image version: %s\n", ver);
    char hex[2 * CRYPTO_HASH_MAX_LEN + 1];
    printf("Image digest: %s\n", sodium_bin2hex(hex, sizeof(hex), res.digest, res.digest_len));
    return EXIT_SUCCESS;
}

static int cmd_dumpinfo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { 0, 0, 0, 0 },
    };
    bool json = false;
    uint8_t *img;
    size_t len;
    cJSON *info;
    int reason;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j') {
            return EXIT_USAGE;
        }
        json = true;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "%s dumpinfo: one IMAGE is required\n", prog);
        return EXIT_USAGE;
    }
    if (read_file(argv[optind], &img, &len) != 0) {
        return EXIT_FAILURE;
    }
    info = image_dump_json(img, len, argv[optind], &reason);
    free(img);
    if (info == NULL) {
        fprintf(stderr, "%s dumpinfo: %s: %s\n", prog, argv[optind], image_strerror(reason));
        return EXIT_FAILURE;
    }
    if (json) {
        char *s = cJSON_Print(info);
        if (s != NULL) {
            puts(s);
            free(s);
        }
    } else {
        image_dump_text(stdout, info);
    }
    cJSON_Delete(info);
    return EXIT_SUCCESS;
}

static int cmd_app_payload(int argc, char **argv)
{
    static const struct option opts[] = {
        { "behaviour", required_argument, NULL, 'b' },
        { "size", required_argument, NULL, 'n' },
        { "reset", required_argument, NULL, 'r' },
        { 0, 0, 0, 0 },
    };
    struct app_payload_opts o = { .behaviour = APP_BEHAVIOUR_NO_CONFIRM };
    unsigned long size = 0;
    uint8_t *buf;
    char *end;
    int rc;
    int c;

    while ((c = getopt_long(argc, argv, "b:n:r:", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (app_behaviour_from_name(optarg, &o.behaviour) != 0) {
                fprintf(stderr, "%s app-payload: behaviour is confirm, no-confirm or fail\n",
                        prog);
                return EXIT_USAGE;
            }
            break;
        case 'n':
            size = strtoul(optarg, &end, 0);
            if (*end != '\0' || size == 0 || size > (16ul << 20)) {
                fprintf(stderr, "%s app-payload: bad size %s\n", prog, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            o.vector_table = true;
            o.initial_sp = 0x20040000u;
            o.reset_vector = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (size == 0 || argc - optind != 1) {
        fprintf(stderr, "%s app-payload: -n SIZE and OUT are required\n", prog);
        return EXIT_USAGE;
    }
    buf = malloc(size);
    if (buf == NULL) {
        return EXIT_FAILURE;
    }
    if (app_payload_write(buf, size, &o) != 0) {
        fprintf(stderr, "%s app-payload: %lu bytes cannot hold the marker\n", prog, size);
        free(buf);
        return EXIT_FAILURE;
    }
    rc = write_file(argv[optind], buf, size, 0644) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    free(buf);
    return rc;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v > UINT32_MAX || s[0] == '-') {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int write_in_dir(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
        fprintf(stderr, "%s: %s: path too long\n", prog, dir);
        return -1;
    }
    return write_file(path, data, len, 0644);
}

static int cmd_bootloader(int argc, char **argv)
{
    static const struct option opts[] = {
        { "fw-version", required_argument, NULL, 'n' },
        { "b0-key", required_argument, NULL, 'b' },
        { "mcuboot-key", required_argument, NULL, 'k' },
        { "version", required_argument, NULL, 'v' },
        { "s0-addr", required_argument, NULL, '0' },
        { "s1-addr", required_argument, NULL, '1' },
        { "pad", required_argument, NULL, 'p' },
        { "slot-size", required_argument, NULL, 'S' },
        { "hw-id", required_argument, NULL, 'h' },
        { "s1-input", required_argument, NULL, 'i' },
        { 0, 0, 0, 0 },
    };
    static const char *const names[2][2] = {
        { "signed_by_b0_mcuboot.bin", "signed_by_mcuboot_and_b0_mcuboot.bin" },
        { "signed_by_b0_s1_image.bin", "signed_by_mcuboot_and_b0_s1_image.bin" },
    };
    struct bootloader_opts o = { .pad = 0x200, .hw_id = 52 };
    const char *b0_path = NULL;
    const char *mcuboot_path = NULL;
    const char *s1_path = NULL;
    bool have_s0 = false;
    bool have_s1 = false;
    struct crypto_key *b0 = NULL;
    struct crypto_key *mk = NULL;
    struct bootloader_variant v[2] = { 0 };
    uint8_t *fw = NULL;
    uint8_t *fw1 = NULL;
    size_t len = 0;
    size_t len1 = 0;
    uint32_t hw = 52;
    char err[256];
    int rc = EXIT_FAILURE;
    int c;

    while ((c = getopt_long(argc, argv, "v:S:", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'n':
            bad = parse_u32(optarg, &o.fw_version);
            break;
        case 'b':
            b0_path = optarg;
            break;
        case 'k':
            mcuboot_path = optarg;
            break;
        case 'v':
            bad = version_parse(optarg, &o.mcuboot_version);
            break;
        case '0':
            bad = parse_u32(optarg, &o.s_addr[0]);
            have_s0 = true;
            break;
        case '1':
            bad = parse_u32(optarg, &o.s_addr[1]);
            have_s1 = true;
            break;
        case 'p':
            bad = parse_u32(optarg, &o.pad);
            break;
        case 'S':
            bad = parse_u32(optarg, &o.slot_size);
            break;
        case 'h':
            bad = parse_u32(optarg, &hw) || hw > 255;
            break;
        case 'i':
            s1_path = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "%s bootloader: bad value %s\n", prog, optarg);
            return EXIT_USAGE;
        }
    }
    if (o.fw_version == 0 || b0_path == NULL || !have_s0 || !have_s1 || argc - optind != 2) {
        fprintf(stderr, "%s bootloader: --fw-version, --b0-key, --s0-addr, --s1-addr, INFILE and "
                        "OUTDIR are required\n", prog);
        return EXIT_USAGE;
    }
    o.hw_id = (uint8_t)hw;
    if (o.slot_size == 0) {
        /* The S slot as the wrapper's slot, as NCS signs it. */
        o.slot_size = o.s_addr[1] > o.s_addr[0] ? o.s_addr[1] - o.s_addr[0] : o.s_addr[0] - o.s_addr[1];
    }
    if ((b0 = load_key(b0_path)) == NULL || (mcuboot_path != NULL && (mk = load_key(mcuboot_path)) == NULL)) {
        crypto_key_free(b0);
        return EXIT_FAILURE;
    }
    o.b0_key = b0;
    o.mcuboot_key = mk;
    if (read_file(argv[optind], &fw, &len) == 0 && (s1_path == NULL || read_file(s1_path, &fw1, &len1) == 0)) {
        if (bootloader_build(fw, len, fw1, len1, &o, v, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s bootloader: %s\n", prog, err);
        } else if (write_in_dir(argv[optind + 1], names[0][0], v[0].b0_signed, v[0].b0_len) == 0 &&
                   write_in_dir(argv[optind + 1], names[0][1], v[0].update, v[0].update_len) == 0 &&
                   write_in_dir(argv[optind + 1], names[1][0], v[1].b0_signed, v[1].b0_len) == 0 &&
                   write_in_dir(argv[optind + 1], names[1][1], v[1].update, v[1].update_len) == 0) {
            rc = EXIT_SUCCESS;
        }
    }
    bootloader_variants_free(v);
    free(fw);
    free(fw1);
    crypto_key_free(b0);
    crypto_key_free(mk);
    return rc;
}

/* SOURCE_DATE_EPOCH makes the manifest reproducible, as in other builds. */
static long long pack_time(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    uint32_t t;

    return s != NULL && parse_u32(s, &t) == 0 ? (long long)t : (long long)time(NULL);
}

static int cmd_pack(int argc, char **argv)
{
    static const struct option opts[] = {
        { "s0", required_argument, NULL, '0' },
        { "s1", required_argument, NULL, '1' },
        { "image", required_argument, NULL, 'i' },
        { "load-address", required_argument, NULL, 'l' },
        { "image-index", required_argument, NULL, 'x' },
        { "board", required_argument, NULL, 'b' },
        { "soc", required_argument, NULL, 's' },
        { "name", required_argument, NULL, 'n' },
        { "hw-id", required_argument, NULL, 'h' },
        { "output", required_argument, NULL, 'o' },
        { 0, 0, 0, 0 },
    };
    struct pack_info info = { 0 };
    const char *in[2] = { NULL, NULL };
    const char *image = NULL;
    const char *out = NULL;
    bool mcuboot;
    bool have_load = false;
    uint32_t load = 0;
    uint32_t index = 0;
    uint32_t hw = 52;
    uint8_t *data[2] = { NULL, NULL };
    size_t len[2] = { 0, 0 };
    char *base[2] = { NULL, NULL };
    char ver[2][48];
    struct pack_file files[2];
    size_t n = 0;
    char err[256];
    int rc = EXIT_FAILURE;
    int c;

    if (argc < 2 || (strcmp(argv[1], "mcuboot") != 0 && strcmp(argv[1], "application") != 0)) {
        fprintf(stderr, "%s pack: mcuboot or application?\n", prog);
        return EXIT_USAGE;
    }
    mcuboot = strcmp(argv[1], "mcuboot") == 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case '0':
            in[0] = optarg;
            break;
        case '1':
            in[1] = optarg;
            break;
        case 'i':
            image = optarg;
            break;
        case 'l':
            bad = parse_u32(optarg, &load);
            have_load = true;
            break;
        case 'x':
            bad = parse_u32(optarg, &index) || index > 15;
            break;
        case 'b':
            info.board = optarg;
            break;
        case 's':
            info.soc = optarg;
            break;
        case 'n':
            info.name = optarg;
            break;
        case 'h':
            bad = parse_u32(optarg, &hw) || hw > 255;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "%s pack: bad value %s\n", prog, optarg);
            return EXIT_USAGE;
        }
    }
    if (info.board == NULL || out == NULL || optind != argc ||
        (mcuboot ? in[0] == NULL || in[1] == NULL : image == NULL || !have_load)) {
        fprintf(stderr, mcuboot ? "%s pack mcuboot: --s0, --s1, --board and -o are required\n"
                                : "%s pack application: --image, --load-address, --board and -o "
                                  "are required\n",
                prog);
        return EXIT_USAGE;
    }
    info.time = pack_time();
    if (!mcuboot) {
        in[0] = image;
    }
    for (int i = 0; i < (mcuboot ? 2 : 1); i++) {
        if (read_file(in[i], &data[i], &len[i]) != 0 || (base[i] = strdup(in[i])) == NULL) {
            goto done;
        }
        if (mcuboot ? pack_describe_mcuboot(data[i], len[i], (uint8_t)hw, i, basename(base[i]), ver[i],
                                            sizeof(ver[i]), &files[i], err, sizeof(err))
                    : pack_describe_application(data[i], len[i], load, (int)index, basename(base[i]),
                                                ver[i], sizeof(ver[i]), &files[i], err, sizeof(err))) {
            fprintf(stderr, "%s pack: %s: %s\n", prog, in[i], err);
            goto done;
        }
        n++;
    }
    if (mcuboot && strcmp(files[0].file, files[1].file) == 0) {
        fprintf(stderr, "%s pack: the S0 and S1 files need different names\n", prog);
    } else if (mcuboot && files[0].load_address == files[1].load_address) {
        fprintf(stderr, "%s pack: %s and %s are both linked for 0x%x: one variant per slot is needed\n",
                prog, in[0], in[1], (unsigned)files[0].load_address);
    } else if (mcuboot && files[0].load_address > files[1].load_address) {
        /* The partition manager always places s0 before s1. */
        fprintf(stderr, "%s pack: %s is linked above %s: are --s0 and --s1 swapped?\n", prog, in[0],
                in[1]);
    } else if (pack_write_zip(out, &info, files, n, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s pack: %s\n", prog, err);
    } else {
        rc = EXIT_SUCCESS;
    }
done:
    for (int i = 0; i < 2; i++) {
        free(data[i]);
        free(base[i]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        { "keygen", cmd_keygen },   { "getpub", cmd_getpub }, { "sign", cmd_sign },
        { "verify", cmd_verify },   { "dumpinfo", cmd_dumpinfo },
        { "app-payload", cmd_app_payload }, { "bootloader", cmd_bootloader },
        { "pack", cmd_pack },
    };

    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            return cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "%s: unknown command %s\n", prog, argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
