/*
 * A small SMP client for the system tests: sends frames to smpdfu-device
 * over UDP or a serial port (console framing) and prints each response as
 *
 *   rsp <hex of the whole frame>
 *   hdr op=1 ver=0 flags=0 len=6 group=0 seq=255 id=6
 *   body {"rc":8}
 *
 * (byte strings in bodies as {"hex":"..."}, as in the frame vectors).
 *
 * usage: smp_test_client (--udp HOST:PORT | --serial PATH) [--v2]
 *                        [--timeout-ms N] [--seq N] COMMAND ...
 *   hex FRAME...              send whole frames given in hex, one at a time
 *   req OP GROUP ID [JSON]    build one request; JSON body, {"hex":".."} = bstr
 *   upload FILE [IMAGE [CHUNK [STOP]]]
 *                             image upload with sha = SHA-256(FILE); stops once
 *                             the device has acknowledged STOP bytes, if given
 *
 * Exit status: 0 when every request got a response, 2 on a timeout, 1 on
 * other errors.
 */
#include <cJSON.h>
#include <cbor.h>
#include <errno.h>
#include <mbedtls/sha256.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium/utils.h>

#include "transport/serial.h"
#include "transport/udp.h"
#include "wire/smp_header.h"
#include "wire/smp_serial.h"

#define MAX_FRAME 4096

struct link {
    bool serial;
    struct udp_sock udp;
    struct serial_port port;
    struct smp_serial_decoder dec;
    uint8_t dec_buf[SMP_SERIAL_DECODE_BUF_SIZE(MAX_FRAME)];
    int timeout_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int link_send(struct link *l, const uint8_t *pkt, size_t len)
{
    if (!l->serial) {
        return udp_send(&l->udp, pkt, len);
    }
    static uint8_t out[MAX_FRAME * 2];
    size_t out_len = 0;
    int rc = smp_serial_encode(pkt, len, out, sizeof(out), &out_len);
    if (rc < 0) {
        return -EMSGSIZE;
    }
    return serial_write_all(&l->port, out, out_len);
}

/* One response packet: its length, -ETIMEDOUT, or another negative errno. */
static int link_recv(struct link *l, uint8_t *buf, size_t cap)
{
    int64_t deadline = now_ms() + l->timeout_ms;
    int fd = l->serial ? l->port.fd : l->udp.fd;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            return -ETIMEDOUT;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno != EINTR) {
            return -errno;
        }
        if (n <= 0) {
            continue;
        }
        if (!l->serial) {
            ssize_t got = udp_recv(&l->udp, buf, cap, NULL);
            return got < 0 ? (int)got : (int)got;
        }
        uint8_t chunk[256];
        ssize_t got = serial_read(&l->port, chunk, sizeof(chunk));
        if (got <= 0) {
            return got == 0 ? -EPIPE : (int)got;
        }
        for (ssize_t i = 0; i < got; i++) {
            const uint8_t *pkt;
            size_t pkt_len;
            size_t used;
            int rc = smp_serial_decoder_feed(&l->dec, &chunk[i], 1, &used, &pkt, &pkt_len);
            if (rc == 1) {
                if (pkt_len > cap) {
                    return -EMSGSIZE;
                }
                memcpy(buf, pkt, pkt_len);
                return (int)pkt_len;
            }
        }
    }
}

/* ---- CBOR <-> JSON ----------------------------------------------------- */

/* Whole hex strings only: an odd digit or any other character is refused. */
static int unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    const char *end;
    size_t n = strlen(s);
    if (n % 2 != 0 || sodium_hex2bin(out, cap, s, n, NULL, len, &end) != 0 || *end != '\0') {
        return -1;
    }
    return 0;
}

static cJSON *cbor_to_json(cbor_item_t *it)
{
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT:
        return cJSON_CreateNumber((double)cbor_get_int(it));
    case CBOR_TYPE_NEGINT:
        return cJSON_CreateNumber(-1.0 - (double)cbor_get_int(it));
    case CBOR_TYPE_BYTESTRING: {
        if (!cbor_bytestring_is_definite(it)) {
            return cJSON_CreateString("<indefinite bstr>");
        }
        size_t n = cbor_bytestring_length(it);
        char *h = malloc(2 * n + 1);
        sodium_bin2hex(h, 2 * n + 1, cbor_bytestring_handle(it), n);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "hex", h);
        free(h);
        return o;
    }
    case CBOR_TYPE_STRING: {
        if (!cbor_string_is_definite(it)) {
            return cJSON_CreateString("<indefinite tstr>");
        }
        size_t n = cbor_string_length(it);
        char *s = malloc(n + 1);
        memcpy(s, cbor_string_handle(it), n);
        s[n] = '\0';
        cJSON *o = cJSON_CreateString(s);
        free(s);
        return o;
    }
    case CBOR_TYPE_ARRAY: {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < cbor_array_size(it); i++) {
            cJSON_AddItemToArray(a, cbor_to_json(cbor_array_handle(it)[i]));
        }
        return a;
    }
    case CBOR_TYPE_MAP: {
        cJSON *o = cJSON_CreateObject();
        struct cbor_pair *p = cbor_map_handle(it);
        for (size_t i = 0; i < cbor_map_size(it); i++) {
            char key[128] = "?";
            if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key)) {
                size_t n = cbor_string_length(p[i].key);
                n = n < sizeof(key) - 1 ? n : sizeof(key) - 1;
                memcpy(key, cbor_string_handle(p[i].key), n);
                key[n] = '\0';
            }
            cJSON_AddItemToObject(o, key, cbor_to_json(p[i].value));
        }
        return o;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_is_bool(it)) {
            return cJSON_CreateBool(cbor_get_bool(it));
        }
        if (cbor_is_null(it)) {
            return cJSON_CreateNull();
        }
        return cJSON_CreateNumber(cbor_float_get_float(it));
    default:
        return cJSON_CreateString("<unsupported CBOR item>");
    }
}

static cbor_item_t *json_to_cbor(const cJSON *j)
{
    if (cJSON_IsBool(j)) {
        return cbor_build_bool(cJSON_IsTrue(j));
    }
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d < 0) {
            return cbor_build_negint64((uint64_t)(-1.0 - d));
        }
        return cbor_build_uint64((uint64_t)d);
    }
    if (cJSON_IsString(j)) {
        return cbor_build_string(j->valuestring);
    }
    if (cJSON_IsArray(j)) {
        cbor_item_t *a = cbor_new_definite_array((size_t)cJSON_GetArraySize(j));
        const cJSON *e;
        cJSON_ArrayForEach(e, j)
        {
            cbor_array_push(a, cbor_move(json_to_cbor(e)));
        }
        return a;
    }
    if (cJSON_IsObject(j)) {
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(j, "hex");
        if (cJSON_GetArraySize(j) == 1 && cJSON_IsString(hex)) {
            static uint8_t bytes[MAX_FRAME];
            size_t n;
            if (unhex(hex->valuestring, bytes, sizeof(bytes), &n) != 0) {
                return NULL;
            }
            return cbor_build_bytestring(bytes, n);
        }
        cbor_item_t *m = cbor_new_definite_map((size_t)cJSON_GetArraySize(j));
        const cJSON *e;
        cJSON_ArrayForEach(e, j)
        {
            cbor_item_t *v = json_to_cbor(e);
            if (!v) {
                cbor_decref(&m);
                return NULL;
            }
            cbor_map_add(m, (struct cbor_pair){ .key = cbor_move(cbor_build_string(e->string)),
                                                .value = cbor_move(v) });
        }
        return m;
    }
    return NULL;
}

/* ---- requests ---------------------------------------------------------- */

static int print_response(const uint8_t *rsp, size_t len)
{
    char *h = malloc(2 * len + 1);
    sodium_bin2hex(h, 2 * len + 1, rsp, len);
    printf("rsp %s\n", h);
    free(h);
    struct smp_hdr hdr;
    if (smp_hdr_decode(rsp, len, &hdr) != 0) {
        printf("hdr short\n");
        return 0;
    }
    printf("hdr op=%u ver=%u flags=%u len=%u group=%u seq=%u id=%u\n", hdr.op, hdr.ver,
           hdr.flags, hdr.len, hdr.group, hdr.seq, hdr.id);
    struct cbor_load_result res;
    cbor_item_t *body = cbor_load(rsp + SMP_HDR_SIZE, len - SMP_HDR_SIZE, &res);
    if (!body) {
        printf("body <undecodable CBOR>\n");
        return 0;
    }
    cJSON *j = cbor_to_json(body);
    char *s = cJSON_PrintUnformatted(j);
    printf("body %s\n", s);
    free(s);
    cJSON_Delete(j);
    cbor_decref(&body);
    fflush(stdout);
    return 0;
}

/* Send pkt, wait for its response, print it; the response is kept in rsp. */
static int transact(struct link *l, const uint8_t *pkt, size_t len, uint8_t *rsp, size_t cap,
                    int *rsp_len)
{
    int rc = link_send(l, pkt, len);
    if (rc) {
        fprintf(stderr, "send: %s\n", strerror(-rc));
        return 1;
    }
    int n = link_recv(l, rsp, cap);
    if (n == -ETIMEDOUT) {
        printf("timeout\n");
        fflush(stdout);
        return 2;
    }
    if (n < 0) {
        fprintf(stderr, "receive: %s\n", strerror(-n));
        return 1;
    }
    *rsp_len = n;
    return print_response(rsp, (size_t)n);
}

static size_t build(uint8_t *out, size_t cap, uint8_t op, uint8_t ver, uint16_t group,
                    uint8_t seq, uint8_t id, cbor_item_t *body)
{
    unsigned char *enc = NULL;
    size_t enc_cap = 0;
    size_t n = cbor_serialize_alloc(body, &enc, &enc_cap);
    if (n == 0 || n + SMP_HDR_SIZE > cap) {
        free(enc);
        return 0;
    }
    struct smp_hdr h = { .op = op, .ver = ver, .len = (uint16_t)n, .group = group, .seq = seq,
                         .id = id };
    smp_hdr_encode(&h, out);
    memcpy(out + SMP_HDR_SIZE, enc, n);
    free(enc);
    return n + SMP_HDR_SIZE;
}

static cJSON *body_of(const uint8_t *rsp, int len)
{
    struct cbor_load_result res;
    cbor_item_t *b = cbor_load(rsp + SMP_HDR_SIZE, (size_t)len - SMP_HDR_SIZE, &res);
    if (!b) {
        return NULL;
    }
    cJSON *j = cbor_to_json(b);
    cbor_decref(&b);
    return j;
}

static int cmd_upload(struct link *l, uint8_t ver, uint8_t seq, int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "upload FILE [IMAGE [CHUNK [STOP]]]\n");
        return 1;
    }
    unsigned image = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 0;
    size_t chunk = argc > 2 ? strtoul(argv[2], NULL, 0) : 256;
    size_t stop = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
    FILE *f = fopen(argv[0], "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long flen = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *img = malloc((size_t)flen);
    if (fread(img, 1, (size_t)flen, f) != (size_t)flen) {
        fclose(f);
        free(img);
        return 1;
    }
    fclose(f);
    uint8_t sha[32];
    mbedtls_sha256_ret(img, (size_t)flen, sha, 0);

    size_t off = 0;
    int rc = 0;
    for (;;) {
        size_t n = (size_t)flen - off < chunk ? (size_t)flen - off : chunk;
        cbor_item_t *m = cbor_new_definite_map(off == 0 ? 5 : 2);
        if (off == 0) {
            cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("image")),
                                                cbor_move(cbor_build_uint32(image)) });
            cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("len")),
                                                cbor_move(cbor_build_uint32((uint32_t)flen)) });
            cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("sha")),
                                                cbor_move(cbor_build_bytestring(sha, 32)) });
        }
        cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("off")),
                                            cbor_move(cbor_build_uint32((uint32_t)off)) });
        cbor_map_add(m, (struct cbor_pair){ cbor_move(cbor_build_string("data")),
                                            cbor_move(cbor_build_bytestring(img + off, n)) });
        static uint8_t pkt[MAX_FRAME], rsp[MAX_FRAME];
        size_t plen = build(pkt, sizeof(pkt), SMP_OP_WRITE, ver, SMP_GROUP_IMAGE, seq++, 1, m);
        cbor_decref(&m);
        if (plen == 0) {
            rc = 1;
            break;
        }
        int rlen;
        rc = transact(l, pkt, plen, rsp, sizeof(rsp), &rlen);
        if (rc) {
            break;
        }
        cJSON *j = body_of(rsp, rlen);
        const cJSON *jo = j ? cJSON_GetObjectItemCaseSensitive(j, "off") : NULL;
        const cJSON *jrc = j ? cJSON_GetObjectItemCaseSensitive(j, "rc") : NULL;
        bool ok = cJSON_IsNumber(jo) && (!jrc || (cJSON_IsNumber(jrc) && jrc->valueint == 0));
        size_t next = ok ? (size_t)jo->valuedouble : 0;
        cJSON_Delete(j);
        if (!ok) {
            printf("upload refused\n");
            rc = 1;
            break;
        }
        if (next >= (size_t)flen) {
            printf("upload done %zu\n", next);
            break;
        }
        if (stop && next >= stop) {
            printf("upload stopped %zu\n", next);
            break;
        }
        off = next;
    }
    fflush(stdout);
    free(img);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: smp_test_client (--udp HOST:PORT | --serial PATH) [--v2] "
                    "[--timeout-ms N] [--seq N] hex FRAME... | req OP GROUP ID [JSON] | "
                    "upload FILE [IMAGE [CHUNK [STOP]]]\n");
    return 1;
}

int main(int argc, char **argv)
{
    struct link l = { .timeout_ms = 5000 };
    const char *udp = NULL, *serial = NULL;
    uint8_t ver = 0;
    unsigned seq = 1;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--udp") == 0 && i + 1 < argc) {
            udp = argv[++i];
        } else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            serial = argv[++i];
        } else if (strcmp(argv[i], "--v2") == 0) {
            ver = SMP_VER_2;
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            l.timeout_ms = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seq") == 0 && i + 1 < argc) {
            seq = (unsigned)strtoul(argv[++i], NULL, 0);
        } else {
            return usage();
        }
    }
    if (i >= argc || (!udp == !serial)) {
        return usage();
    }
    int rc;
    if (udp) {
        char host[256];
        uint16_t port;
        rc = udp_parse_hostport(udp, host, sizeof(host), &port, UDP_DEFAULT_PORT);
        if (rc == 0) {
            rc = udp_client_open(&l.udp, host, port);
        }
    } else {
        l.serial = true;
        smp_serial_decoder_init(&l.dec, l.dec_buf, sizeof(l.dec_buf));
        rc = serial_open_device(&l.port, serial, SERIAL_DEFAULT_BAUD);
    }
    if (rc) {
        fprintf(stderr, "open %s: %s\n", udp ? udp : serial, strerror(-rc));
        return 1;
    }

    const char *cmd = argv[i++];
    static uint8_t pkt[MAX_FRAME], rsp[MAX_FRAME];
    int rlen;
    rc = 0;
    if (strcmp(cmd, "hex") == 0) {
        for (; i < argc && rc == 0; i++) {
            size_t n;
            if (unhex(argv[i], pkt, sizeof(pkt), &n) != 0) {
                fprintf(stderr, "bad hex frame: %s\n", argv[i]);
                rc = 1;
                break;
            }
            rc = transact(&l, pkt, n, rsp, sizeof(rsp), &rlen);
        }
    } else if (strcmp(cmd, "req") == 0 && argc - i >= 3) {
        uint8_t op = (uint8_t)strtoul(argv[i], NULL, 0);
        uint16_t group = (uint16_t)strtoul(argv[i + 1], NULL, 0);
        uint8_t id = (uint8_t)strtoul(argv[i + 2], NULL, 0);
        cJSON *j = cJSON_Parse(argc - i > 3 ? argv[i + 3] : "{}");
        cbor_item_t *body = j ? json_to_cbor(j) : NULL;
        cJSON_Delete(j);
        if (!body) {
            fprintf(stderr, "bad JSON body\n");
            rc = 1;
        } else {
            size_t n = build(pkt, sizeof(pkt), op, ver, group, (uint8_t)seq, id, body);
            cbor_decref(&body);
            rc = n ? transact(&l, pkt, n, rsp, sizeof(rsp), &rlen) : 1;
        }
    } else if (strcmp(cmd, "upload") == 0) {
        rc = cmd_upload(&l, ver, (uint8_t)seq, argc - i, argv + i);
    } else {
        rc = usage();
    }
    if (l.serial) {
        serial_close(&l.port);
    } else {
        udp_close(&l.udp);
    }
    return rc;
}
