/*
 * smpdfu-image: keygen, getpub, sign, verify, dumpinfo with imgtool's verbs
 * and options. Argument parsing and file I/O only; the work is done in
 * src/imagetool and src/crypto.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot/image.h"
#include "crypto/crypto_key.h"
#include "device/app_marker.h"
#include "imagetool/image_check.h"
#include "imagetool/image_dump.h"
#include "imagetool/image_sign.h"
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
            "      does after boot (see src/device/app_marker.h); sign it like any binary\n",
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

static void print_hex(FILE *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%02x", p[i]);
    }
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
    printf("Image digest: ");
    print_hex(stdout, res.digest, res.digest_len);
    printf("\n");
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

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        { "keygen", cmd_keygen },   { "getpub", cmd_getpub }, { "sign", cmd_sign },
        { "verify", cmd_verify },   { "dumpinfo", cmd_dumpinfo },
        { "app-payload", cmd_app_payload },
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
