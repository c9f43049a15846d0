/*
 * smpdfu-image against MCUboot's imgtool: every signed vector is rebuilt
 * from imgtool's own command line (byte-identical for deterministic
 * signatures, identical except the signature otherwise), verified with its
 * key, and described by dumpinfo exactly as imgtool described it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imagetool/image_check.h"
#include "imagetool/image_dump.h"
#include "imagetool/image_sign.h"
#include "imagetool/mem_area.h"
#include "imagetool/sign_args.h"
#include "imagetool/version_parse.h"

#define VEC SMPDFU_VECTORS "/images/"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

static char *vec_path(const char *rel)
{
    static char path[4][512];
    static int i;

    i = (i + 1) % 4;
    snprintf(path[i], sizeof(path[i]), "%s%s", VEC, rel);
    return path[i];
}

/* One line of commands.txt: "name: imgtool sign ARGS". */
struct vector_cmd {
    char name[48];
    char line[1024];
    char *argv[64];
    int argc;
};

static size_t load_commands(struct vector_cmd *cmds, size_t max)
{
    size_t len;
    char *text = (char *)slurp(vec_path("commands.txt"), &len);
    size_t n = 0;

    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
         l = strtok_r(NULL, "\n", &save)) {
        char *colon = strstr(l, ": imgtool sign ");
        if (colon == NULL) {
            continue;
        }
        assert_true(n < max);
        struct vector_cmd *c = &cmds[n++];
        memset(c, 0, sizeof(*c));
        snprintf(c->name, sizeof(c->name), "%.*s", (int)(colon - l), l);
        snprintf(c->line, sizeof(c->line), "%s", colon + strlen(": imgtool "));
        for (char *s2 = NULL, *w = strtok_r(c->line, " ", &s2); w != NULL;
             w = strtok_r(NULL, " ", &s2)) {
            assert_true(c->argc < 63);
            c->argv[c->argc++] = w;
        }
    }
    free(text);
    assert_true(n >= 10);
    return n;
}

static struct crypto_key *load_key(const char *rel)
{
    struct crypto_key *key = NULL;

    assert_int_equal(crypto_key_load_file(vec_path(rel), &key), 0);
    return key;
}

/* Offset and length of the last TLV value (the signature). */
static void last_tlv(const uint8_t *img, size_t len, uint32_t *off, uint16_t *tlen)
{
    struct mem_area m;
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv t;
    bool any = false;

    mem_area_init(&m, img, (uint32_t)len, 0xff);
    assert_int_equal(image_header_read(&m.fa, &hdr), 0);
    assert_int_equal(image_tlv_iter_begin(&it, &m.fa, &hdr, IMAGE_TLV_ANY), 0);
    while (image_tlv_iter_next(&it, &t) == 1) {
        *off = t.off;
        *tlen = t.len;
        any = true;
    }
    assert_true(any);
}

/* Offset of the unprotected TLV area's total length field. */
static size_t tlv_total_off(const uint8_t *img, size_t len)
{
    struct mem_area m;
    struct image_header hdr;

    mem_area_init(&m, img, (uint32_t)len, 0xff);
    assert_int_equal(image_header_read(&m.fa, &hdr), 0);
    return image_tlv_off(&hdr) + hdr.protect_tlv_size + 2;
}

static void test_sign_vectors(void **state)
{
    static struct vector_cmd cmds[32];
    size_t n = load_commands(cmds, 32);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        struct sign_args a;
        char err[256] = "";
        struct crypto_key *key = NULL;
        uint8_t *in;
        uint8_t *want;
        uint8_t *got;
        size_t in_len;
        size_t want_len;
        size_t got_len;

        print_message("sign %s\n", cmds[i].name);
        assert_int_equal(sign_args_parse(cmds[i].argc, cmds[i].argv, &a, err, sizeof(err)), 0);
        if (a.key_path != NULL) {
            key = load_key(a.key_path);
        }
        a.opts.key = key;
        in = slurp(vec_path(a.in_path), &in_len);
        want = slurp(vec_path(a.out_path), &want_len);
        assert_int_equal(image_sign(in, in_len, &a.opts, &got, &got_len, err, sizeof(err)), 0);
        if (key == NULL || crypto_key_type(key) == CRYPTO_SIG_ED25519) {
            assert_int_equal(got_len, want_len);
            assert_memory_equal(got, want, want_len);
        } else {
            /*
             * Randomised signature: ECDSA's DER length varies by a byte or
             * two, which moves the TLV area's total. Everything else is
             * identical, and our signature verifies.
             */
            uint32_t off_w, off_g;
            uint16_t len_w, len_g;
            size_t tot = tlv_total_off(want, want_len);
            struct image_result res;

            last_tlv(want, want_len, &off_w, &len_w);
            last_tlv(got, got_len, &off_g, &len_g);
            assert_int_equal(off_w, off_g);
            assert_int_equal(tot, tlv_total_off(got, got_len));
            assert_memory_equal(got, want, tot);
            assert_memory_equal(got + tot + 2, want + tot + 2, off_w - 2 - (tot + 2));
            assert_int_equal(got_len - off_g - len_g, want_len - off_w - len_w);
            assert_memory_equal(got + off_g + len_g, want + off_w + len_w,
                                want_len - off_w - len_w);
            assert_int_equal(image_check(got, got_len, key, &res), 0);
        }
        free(in);
        free(want);
        free(got);
        crypto_key_free(key);
    }
}

static void test_verify_vectors(void **state)
{
    static struct vector_cmd cmds[32];
    size_t n = load_commands(cmds, 32);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        struct sign_args a;
        char err[256];
        char rel[256];
        char hex[2 * CRYPTO_HASH_MAX_LEN + 1];
        struct crypto_key *key = NULL;
        struct image_result res;
        uint8_t *img;
        size_t len;

        assert_int_equal(sign_args_parse(cmds[i].argc, cmds[i].argv, &a, err, sizeof(err)), 0);
        if (a.key_path != NULL) {
            key = load_key(a.key_path);
        }
        img = slurp(vec_path(a.out_path), &len);
        assert_int_equal(image_check(img, len, key, &res), 0);
        for (size_t k = 0; k < res.digest_len; k++) {
            sprintf(hex + 2 * k, "%02x", res.digest[k]);
        }
        snprintf(rel, sizeof(rel), "signed/%.47s.verify.txt", cmds[i].name);
        if (key != NULL) {
            size_t tlen;
            char *txt = (char *)slurp(vec_path(rel), &tlen);
            char line[200];
            snprintf(line, sizeof(line), "Image digest: %s\n", hex);
            assert_non_null(strstr(txt, line));
            free(txt);
        }
        free(img);
        crypto_key_free(key);
    }
}

static void test_dumpinfo_vectors(void **state)
{
    static struct vector_cmd cmds[32];
    size_t n = load_commands(cmds, 32);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        char rel[256];
        size_t len;
        size_t jlen;
        int reason = 1;
        uint8_t *img;
        char *jtext;
        cJSON *want;
        cJSON *got;

        print_message("dumpinfo %s\n", cmds[i].name);
        snprintf(rel, sizeof(rel), "signed/%.47s.bin", cmds[i].name);
        img = slurp(vec_path(rel), &len);
        snprintf(rel, sizeof(rel), "signed/%.47s.dumpinfo.json", cmds[i].name);
        jtext = (char *)slurp(vec_path(rel), &jlen);
        want = cJSON_Parse(jtext);
        assert_non_null(want);
        got = image_dump_json(img, len, rel, &reason);
        assert_non_null(got);
        assert_int_equal(reason, 0);
        static const char *parts[] = { "header", "tlv_area", "trailer" };
        for (size_t p = 0; p < 3; p++) {
            assert_true(cJSON_Compare(cJSON_GetObjectItem(want, parts[p]),
                                      cJSON_GetObjectItem(got, parts[p]), true));
        }
        cJSON_Delete(want);
        cJSON_Delete(got);
        free(jtext);
        free(img);
    }
}

static uint8_t *signed_vector(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "signed/%s.bin", name);
    return slurp(vec_path(rel), len);
}

static int check_with(const uint8_t *img, size_t len, const char *key_rel)
{
    struct image_result res;
    struct crypto_key *key = key_rel ? load_key(key_rel) : NULL;
    int rc = image_check(img, len, key, &res);

    crypto_key_free(key);
    assert_int_equal(rc, res.reason);
    return rc;
}

/* Each kind of damage gets its own reason. */
static void test_bad_images(void **state)
{
    size_t len;
    uint8_t *img = signed_vector("ed25519-basic", &len);
    uint8_t *copy = malloc(len);
    const uint32_t tlv = 0x200 + 20480; /* header + payload */

    (void)state;
    assert_int_equal(check_with(img, len, "keys/ed25519.pem"), 0);

    memcpy(copy, img, len);
    copy[0] ^= 1;
    assert_int_equal(check_with(copy, len, "keys/ed25519.pem"), IMAGE_EBADMAGIC);

    memcpy(copy, img, len);
    copy[0x300] ^= 0x40;
    assert_int_equal(check_with(copy, len, "keys/ed25519.pem"), IMAGE_EHASH);

    memcpy(copy, img, len);
    copy[tlv + 4 + 4 + 32 + 4 + 5] ^= 1; /* inside the key hash */
    assert_int_equal(check_with(copy, len, "keys/ed25519.pem"), IMAGE_ENOKEY);

    memcpy(copy, img, len);
    copy[len - 3] ^= 1; /* inside the signature */
    assert_int_equal(check_with(copy, len, "keys/ed25519.pem"), IMAGE_EBADSIG);

    memcpy(copy, img, len);
    copy[tlv + 4 + 2] = 0xff; /* hash TLV length runs past the area */
    assert_true(check_with(copy, len, "keys/ed25519.pem") == IMAGE_ETLVLEN ||
                check_with(copy, len, "keys/ed25519.pem") == IMAGE_EHASHLEN);

    memcpy(copy, img, len);
    copy[tlv] = 0x00; /* TLV info magic */
    assert_int_equal(check_with(copy, len, "keys/ed25519.pem"), IMAGE_ETLVINFO);

    /* Another key: nothing in the image names it. */
    assert_int_equal(check_with(img, len, "keys/ecdsa-p256.pem"), IMAGE_ENOKEY);

    /* Cut anywhere: never accepted, never read out of bounds (ASan). */
    for (size_t cut = 0; cut < len; cut += (cut < 600 || cut > len - 200) ? 1 : 97) {
        assert_int_not_equal(check_with(img, cut, "keys/ed25519.pem"), 0);
    }
    free(copy);
    free(img);
}

static void test_bad_dumpinfo(void **state)
{
    uint8_t zeros[64] = { 0 };
    uint8_t erased[64];
    int reason = 0;

    (void)state;
    memset(erased, 0xff, sizeof(erased));
    assert_null(image_dump_json(zeros, sizeof(zeros), "z.bin", &reason));
    assert_int_equal(reason, IMAGE_EBADMAGIC);
    assert_null(image_dump_json(erased, sizeof(erased), "e.bin", &reason));
    assert_int_equal(reason, IMAGE_EEMPTY);
}

static int sign_line(const char *line, const uint8_t *in, size_t in_len, char *err,
                     size_t err_len)
{
    char buf[512];
    char *argv[32];
    int argc = 0;
    struct sign_args a;
    uint8_t *out = NULL;
    size_t out_len;
    int rc;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *s = NULL, *w = strtok_r(buf, " ", &s); w; w = strtok_r(NULL, " ", &s)) {
        argv[argc++] = w;
    }
    rc = sign_args_parse(argc, argv, &a, err, err_len);
    if (rc == 0) {
        rc = image_sign(in, in_len, &a.opts, &out, &out_len, err, err_len);
    }
    free(out);
    return rc;
}

static void test_sign_refusals(void **state)
{
    uint8_t payload[4096];
    char err[256];

    (void)state;
    memset(payload, 0x5a, sizeof(payload));
    assert_int_equal(sign_line("sign -v 1.0.0 -H 0x200 --pad-header -S 0x1000 in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "exceeds the slot size"));
    assert_int_equal(sign_line("sign -v 1.0.0 -H 0x200 -S 0x10000 in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "--pad-header"));
    assert_int_equal(sign_line("sign -v 1.0.0 -H 0x200 --align 3 --pad-header -S 0x10000 in out",
                               payload, sizeof(payload), err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "alignment"));
    assert_int_equal(sign_line("sign -v 1.0.0 -H 16 --pad-header -S 0x10000 in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_int_equal(sign_line("sign -v 1.x -H 0x200 -S 0x10000 in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "version"));
    assert_int_equal(sign_line("sign -v 1.0 -H 0x200 -S 0x10000 --bogus in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_int_equal(sign_line("sign -H 0x200 -S 0x10000 in out", payload, sizeof(payload), err,
                               sizeof(err)),
                     -1);
    assert_int_equal(sign_line("sign -v 1 -H 0x200 -S 0x10000 --sha 1 in out", payload,
                               sizeof(payload), err, sizeof(err)),
                     -1);
    assert_int_equal(sign_line("sign -v 1 -H 0x200 --pad-header -S 0x10000 --pad in out",
                               payload, sizeof(payload), err, sizeof(err)),
                     0);
}

static void test_malformed_keys(void **state)
{
    static const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    struct crypto_key *key = NULL;

    (void)state;
    assert_int_equal(crypto_key_parse_pem(junk, sizeof(junk), &key), CRYPTO_EBADKEY);
    assert_null(key);
    assert_int_equal(crypto_key_parse_pem("hello", 6, &key), CRYPTO_EBADKEY);
}

static void test_versions(void **state)
{
    struct image_version v;
    char s[48];

    (void)state;
    assert_int_equal(version_parse("1.2.3+4", &v), 0);
    assert_int_equal(v.major, 1);
    assert_int_equal(v.minor, 2);
    assert_int_equal(v.revision, 3);
    assert_int_equal(v.build_num, 4);
    version_format(&v, s, sizeof(s));
    assert_string_equal(s, "1.2.3+4");
    assert_int_equal(version_parse("7", &v), 0);
    version_format(&v, s, sizeof(s));
    assert_string_equal(s, "7.0.0+0");
    assert_int_equal(version_parse("255.255.65535+4294967295", &v), 0);
    assert_int_equal(version_parse("256.0.0", &v), -1);
    assert_int_equal(version_parse("1.2.65536", &v), -1);
    assert_int_equal(version_parse("1.2.3+4294967296", &v), -1);
    assert_int_equal(version_parse("1.2.3.4", &v), -1);
    assert_int_equal(version_parse("", &v), -1);
    assert_int_equal(version_parse("1..2", &v), -1);
    assert_int_equal(version_parse("1.2+", &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_vectors),   cmocka_unit_test(test_verify_vectors),
        cmocka_unit_test(test_dumpinfo_vectors), cmocka_unit_test(test_bad_images),
        cmocka_unit_test(test_bad_dumpinfo),   cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_malformed_keys), cmocka_unit_test(test_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
