/*
 * bench/ble: a 512 KiB image upload over the modelled BLE link (blesim),
 * for three links, by our client (window and frame from the device's
 * buffers, frames cut to whole writes; also without that cut, to show what
 * it is worth) and by a stop-and-wait client whose frames fit one ATT
 * write (the field report's behaviour).
 *
 * Figures are goodput in image bytes per second and its ratio to the link's
 * capacity (blesim_capacity: ATT value bytes per second with writes back to
 * back, the ceiling for image bytes).
 *
 * 1. Simulated time: the real client (src/client) and the real device
 *    (src/device, SMP server, flash file) exchange packets through the
 *    link model in one process on a virtual clock; the device answers in
 *    zero time. Deterministic: does not depend on the machine's load.
 * 2. Real time (ours only, unless --no-real): the same client over the
 *    blesim socket to the same device in a thread, paced by the model
 *    against the wall clock; the time includes the device's processing.
 *
 * Usage: bench_ble [--no-real] [--only a|b|c] [VECTORS_DIR]
 */
#include <errno.h>
#include <mbedtls/sha256.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot/image.h"
#include "client/link.h"
#include "client/session.h"
#include "client/upload.h"
#include "device/device.h"
#include "device/layout.h"
#include "transport/blesim.h"
#include "transport/blesim_central.h"
#include "transport/blesim_peripheral.h"
#include "transport/blesim_spec.h"
#include "wire/smp_gatt.h"

#define UPLOAD_LEN (512u * 1024u)
/* The image the device boots (hash-only validation without keys). */
#define BOOT_IMAGE "/images/signed/ed25519-basic.bin"

struct link_case {
    const char *name;
    struct blesim_params p;
};

static const struct link_case cases[] = {
    { "(a) field report: 1M, 45 ms, MTU 252, DLE 251, 6/event",
      { 45000, BLESIM_PHY_1M, 252, 251, 6, false } },
    { "(b) good phone:   2M, 15 ms, MTU 498, DLE 251, 6/event",
      { 15000, BLESIM_PHY_2M, 498, 251, 6, false } },
    { "(c) PC dongle:    1M, 30 ms, MTU 247, DLE 251, 4/event",
      { 30000, BLESIM_PHY_1M, 247, 251, 4, false } },
};

/* ---- the device ---- */

/* nRF52840-like flash, twice the size, so that a 512 KiB image fits a slot. */
static int bench_layout(struct layout *lo)
{
    struct layout_geometry geo = layout_geometry_nrf52840();
    geo.flash_size = 0x200000;
    char err[128];
    if (layout_init(lo, "bench-2m", &geo) != 0 ||
        layout_add_area(lo, "mcuboot", 0x00000, 0x10000, false) != 0 ||
        layout_add_area(lo, "mcuboot_primary", 0x10000, 0x88000, false) != 0 ||
        layout_add_area(lo, "mcuboot_secondary", 0x98000, 0x88000, false) != 0 ||
        layout_finish(lo, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_ble: layout: %s\n", err);
        return -1;
    }
    return 0;
}

struct bench_dev {
    struct device dev;
    char path[512]; /* the flash file; the device keeps a pointer to it */
};

static int device_start(struct bench_dev *b, const char *dir, const char *tag, const char *vectors,
                        FILE *log)
{
    struct device *dev = &b->dev;
    struct device_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(b->path, sizeof(b->path), "%s/%s.flash", dir, tag);
    cfg.flash_path = b->path;
    cfg.mode = TRAILER_MODE_SWAP_MOVE;
    cfg.log = log;
    if (bench_layout(&cfg.layout) != 0 || device_open(dev, &cfg) != 0) {
        return -1;
    }
    char img[512];
    snprintf(img, sizeof(img), "%s%s", vectors, BOOT_IMAGE);
    if (device_install(dev, "mcuboot_primary", img) != 0 || device_boot(dev) != 0 ||
        !dev->serving) {
        fprintf(stderr, "bench_ble: the device does not boot %s\n", img);
        device_close(dev);
        return -1;
    }
    return 0;
}

/* Closes the device and removes its files (flash, upload record). */
static void device_stop(struct bench_dev *b)
{
    device_close(&b->dev);
    char up[600];
    snprintf(up, sizeof(up), "%s.upload", b->path);
    unlink(b->path);
    unlink(up);
}

/* The upload: an MCUboot header that describes the whole length, then
 * bytes that do not compress. */
static void make_image(uint8_t *buf, size_t len)
{
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 24);
    }
    uint32_t img_size = (uint32_t)(len - 0x20 - IMAGE_TLV_INFO_SIZE);
    const uint32_t words[] = { IMAGE_MAGIC, 0, 0x20, img_size, 0 };
    memset(buf, 0, 0x20);
    for (size_t w = 0; w < 5; w++) {
        for (size_t b = 0; b < 4; b++) {
            /* hdr_size and protect_tlv_size share word 2 (two 16-bit fields) */
            buf[w * 4 + b] = (uint8_t)(words[w] >> (8 * b));
        }
    }
    buf[20] = 1; /* version 1.0.0 */
}

/* ---- the link on a virtual clock ---- */

struct piece_q {
    uint8_t data[BLESIM_QUEUE_LEN][BLESIM_ATT_MTU_MAX];
    uint16_t len[BLESIM_QUEUE_LEN];
    uint32_t head, tail;
};

struct vlink {
    struct blesim_link model;
    struct device *dev;
    uint64_t now;
    uint32_t write_piece; /* value bytes per write the client cuts */
    struct piece_q tx, rx;
    struct smp_gatt_reassembler dev_reasm, cli_reasm;
    uint8_t dev_buf[BLESIM_SMP_MAX], cli_buf[BLESIM_SMP_MAX];
    uint8_t rsp[BLESIM_SMP_MAX];
    /* An answer completed while send waited for room, for the next recv. */
    uint8_t held[BLESIM_SMP_MAX];
    size_t held_len;
};

static void q_push(struct piece_q *q, const uint8_t *d, size_t n)
{
    memcpy(q->data[q->tail % BLESIM_QUEUE_LEN], d, n);
    q->len[q->tail % BLESIM_QUEUE_LEN] = (uint16_t)n;
    q->tail++;
}

/* The device got a whole request at t: it answers at once, as
 * notifications of ATT_MTU - 3. */
static void vdevice_packet(struct vlink *v, const uint8_t *pkt, size_t len, uint64_t t)
{
    int n = device_process(v->dev, pkt, len, v->rsp, sizeof(v->rsp));
    if (n <= 0) {
        return;
    }
    struct smp_gatt_splitter sp;
    smp_gatt_split_init(&sp, v->rsp, (size_t)n, v->model.p.att_mtu);
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        if (blesim_link_push(&v->model, BLESIM_TO_CENTRAL, (uint32_t)piece_len, t) == 0) {
            q_push(&v->rx, piece, piece_len);
        }
    }
}

/* Runs the model to v->now; 1 with a whole answer for the client. */
static int vrun(struct vlink *v, const uint8_t **pkt, size_t *len)
{
    blesim_link_run(&v->model, v->now);
    uint64_t done;
    while (blesim_link_peek(&v->model, BLESIM_TO_PERIPHERAL, &done) && done <= v->now) {
        blesim_link_pop(&v->model, BLESIM_TO_PERIPHERAL, NULL);
        uint32_t i = v->tx.head++ % BLESIM_QUEUE_LEN;
        const uint8_t *req;
        size_t req_len;
        if (smp_gatt_reasm_feed(&v->dev_reasm, v->tx.data[i], v->tx.len[i], &req, &req_len) == 1) {
            vdevice_packet(v, req, req_len, done);
        }
    }
    while (blesim_link_peek(&v->model, BLESIM_TO_CENTRAL, &done) && done <= v->now) {
        blesim_link_pop(&v->model, BLESIM_TO_CENTRAL, NULL);
        uint32_t i = v->rx.head++ % BLESIM_QUEUE_LEN;
        if (smp_gatt_reasm_feed(&v->cli_reasm, v->rx.data[i], v->rx.len[i], pkt, len) == 1) {
            return 1;
        }
    }
    return 0;
}

/* The next moment something reaches either end. */
static uint64_t vnext(const struct vlink *v)
{
    uint64_t next = blesim_link_next_delivery(&v->model);
    /* An exchange already run may deliver a little after now. */
    for (int d = 0; d < 2; d++) {
        uint64_t done;
        if (blesim_link_peek(&v->model, (enum blesim_dir)d, &done) && done > v->now &&
            done < next) {
            next = done;
        }
    }
    return next;
}

static int vlink_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct vlink *v = ctx;
    struct smp_gatt_splitter sp;
    if (smp_gatt_split_init(&sp, pkt, len, (uint16_t)(v->write_piece + 3)) != 0) {
        return -EINVAL;
    }
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        while (blesim_link_push(&v->model, BLESIM_TO_PERIPHERAL, (uint32_t)piece_len, v->now) !=
               0) {
            /* Queue full: the client waits for the radio. */
            v->now = vnext(v);
            const uint8_t *ans;
            size_t ans_len;
            if (vrun(v, &ans, &ans_len) == 1 && v->held_len == 0) {
                memcpy(v->held, ans, ans_len);
                v->held_len = ans_len;
            }
        }
        q_push(&v->tx, piece, piece_len);
    }
    return 0;
}

static int vlink_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct vlink *v = ctx;
    uint64_t deadline = v->now + (uint64_t)(timeout_ms < 0 ? 3600000 : timeout_ms) * 1000u;
    if (v->held_len > 0) {
        size_t len = v->held_len;
        v->held_len = 0;
        if (len > cap) {
            return -EMSGSIZE;
        }
        memcpy(buf, v->held, len);
        return (int)len;
    }
    for (;;) {
        const uint8_t *pkt;
        size_t len;
        if (vrun(v, &pkt, &len) == 1) {
            if (len > cap) {
                return -EMSGSIZE;
            }
            memcpy(buf, pkt, len);
            return (int)len;
        }
        uint64_t next = vnext(v);
        if (next > deadline) {
            v->now = deadline;
            return 0;
        }
        v->now = next > v->now ? next : v->now;
    }
}

/* ---- the link over the blesim socket ---- */

struct rlink {
    struct blesim_central *c;
};

static int rlink_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct rlink *r = ctx;
    return blesim_central_send(r->c, pkt, len);
}

static int rlink_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct rlink *r = ctx;
    return blesim_central_recv(r->c, buf, cap, timeout_ms);
}

struct device_thread {
    struct device *dev;
    struct blesim_peripheral per;
    volatile int stop;
    uint8_t rsp[BLESIM_SMP_MAX];
};

static void *device_main(void *arg)
{
    struct device_thread *t = arg;
    while (!t->stop) {
        struct pollfd pfd = { .fd = blesim_peripheral_fd(&t->per), .events = POLLIN };
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        const uint8_t *pkt;
        size_t len;
        if (blesim_peripheral_read(&t->per, &pkt, &len) == 1) {
            int n = device_process(t->dev, pkt, len, t->rsp, sizeof(t->rsp));
            if (n > 0) {
                blesim_peripheral_notify(&t->per, t->rsp, (size_t)n);
            }
        }
    }
    return NULL;
}

/* ---- the upload ---- */

struct result {
    double seconds;
    unsigned long chunks, timeouts, resyncs;
    size_t frame;
    unsigned window;
};

static int upload(struct client_link *l, const uint8_t *img, const uint8_t sha[32], bool naive,
                  uint32_t att_mtu, uint64_t (*clock_us)(void *), void *clock_ctx,
                  struct result *res)
{
    struct smp_session s;
    int rc = smp_session_init(&s, l);
    if (rc == 0) {
        rc = smp_session_negotiate(&s);
    }
    if (rc) {
        fprintf(stderr, "bench_ble: no session (%d)\n", rc);
        smp_session_free(&s);
        return rc;
    }
    struct upload_opts o;
    memset(&o, 0, sizeof(o));
    o.data = img;
    o.len = UPLOAD_LEN;
    memcpy(o.sha, sha, 32);
    if (naive) {
        o.window = 1;
        o.frame = att_mtu - 3;
    }
    struct upload_stats st;
    memset(&st, 0, sizeof(st));
    uint64_t t0 = clock_us(clock_ctx);
    rc = image_upload(&s, &o, &st);
    uint64_t t1 = clock_us(clock_ctx);
    res->seconds = (double)(t1 - t0) / 1e6;
    res->chunks = st.chunks;
    res->timeouts = st.timeouts;
    res->resyncs = st.resyncs;
    res->frame = naive ? o.frame : s.frame_size;
    res->window = naive ? 1 : s.window;
    smp_session_free(&s);
    if (rc) {
        fprintf(stderr, "bench_ble: upload failed (%d)\n", rc);
    }
    return rc;
}

static uint64_t vclock(void *ctx)
{
    return ((struct vlink *)ctx)->now;
}

static uint64_t wall_us(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void print_row(const char *who, const char *time, const struct result *r, double capacity)
{
    double goodput = UPLOAD_LEN / r->seconds;
    printf("  %-15s %-9s frame %4zu x%u  %8.2f s  %9.0f B/s  %5.1f %% of capacity", who, time,
           r->frame, r->window, r->seconds, goodput, 100.0 * goodput / capacity);
    if (r->timeouts || r->resyncs) {
        printf("  (%lu timeouts, %lu resyncs)", r->timeouts, r->resyncs);
    }
    printf("\n");
}

/* Who uploads: our client with frames cut to whole writes, the same with
 * frames of the device's whole buffer (the last write of each frame is
 * short), and a stop-and-wait client with frames of one write. */
enum client_kind {
    CLIENT_OURS,
    CLIENT_OURS_UNFITTED,
    CLIENT_STOP_AND_WAIT,
};

static const char *const client_names[] = { "ours", "ours, unfitted", "stop-and-wait" };

static int simulated(const struct link_case *lc, enum client_kind kind, struct device *dev,
                     const uint8_t *img, const uint8_t sha[32], double capacity, uint32_t best)
{
    bool naive = kind == CLIENT_STOP_AND_WAIT;
    struct vlink *v = calloc(1, sizeof(*v));
    if (!v) {
        return -ENOMEM;
    }
    blesim_link_init(&v->model, &lc->p, 0);
    v->dev = dev;
    v->write_piece = naive ? lc->p.att_mtu - 3u : best;
    smp_gatt_reasm_init(&v->dev_reasm, v->dev_buf, sizeof(v->dev_buf));
    smp_gatt_reasm_init(&v->cli_reasm, v->cli_buf, sizeof(v->cli_buf));
    /* Ours: the largest frame that fills whole writes. */
    size_t mtu = SMP_SERVER_BUF_SIZE - SMP_SERVER_BUF_SIZE % best;
    if (kind == CLIENT_OURS_UNFITTED) {
        mtu = SMP_SERVER_BUF_SIZE;
    } else if (naive) {
        mtu = lc->p.att_mtu - 3u;
    }
    struct client_link l = { .ctx = v, .send = vlink_send, .recv = vlink_recv, .mtu = mtu };
    struct result r;
    int rc = upload(&l, img, sha, naive, lc->p.att_mtu, vclock, v, &r);
    if (rc == 0) {
        print_row(client_names[kind], "simulated", &r, capacity);
    }
    free(v);
    return rc;
}

static int real_paced(const struct link_case *lc, struct device *dev, const char *dir,
                      const uint8_t *img, const uint8_t sha[32], double capacity)
{
    struct device_thread *t = calloc(1, sizeof(*t));
    if (!t) {
        return -ENOMEM;
    }
    t->dev = dev;
    char path[512];
    snprintf(path, sizeof(path), "%s/dev.sock", dir);
    int rc = blesim_peripheral_open(&t->per, path);
    if (rc) {
        free(t);
        return rc;
    }
    pthread_t th;
    pthread_create(&th, NULL, device_main, t);
    struct rlink r;
    rc = blesim_central_open(&r.c, path, &lc->p, 2000);
    if (rc == 0) {
        struct client_link l = { .ctx = &r, .send = rlink_send, .recv = rlink_recv,
                                 .mtu = blesim_central_frame_fit(r.c, SMP_SERVER_BUF_SIZE) };
        struct result res;
        rc = upload(&l, img, sha, false, lc->p.att_mtu, wall_us, NULL, &res);
        if (rc == 0) {
            print_row("ours", "real", &res, capacity);
        }
        blesim_central_close(r.c);
    }
    t->stop = 1;
    pthread_join(th, NULL);
    blesim_peripheral_close(&t->per);
    free(t);
    return rc;
}

int main(int argc, char **argv)
{
    bool real = true;
    int only = -1;
    const char *vectors = SMPDFU_VECTORS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-real")) {
            real = false;
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc && argv[i + 1][0] >= 'a' &&
                   argv[i + 1][0] <= 'c' && argv[i + 1][1] == '\0') {
            only = argv[++i][0] - 'a';
        } else {
            vectors = argv[i];
        }
    }
    char dir[] = "/tmp/bench-ble-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_ble: mkdtemp");
        return 1;
    }
    FILE *log = fopen("/dev/null", "w");
    uint8_t *img = malloc(UPLOAD_LEN);
    static struct bench_dev dev;
    if (!img || !log) {
        return 1;
    }
    make_image(img, UPLOAD_LEN);
    uint8_t sha[32];
    mbedtls_sha256_ret(img, UPLOAD_LEN, sha, 0);

    printf("512 KiB image upload over the modelled BLE link\n");
    int rc = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && rc == 0; i++) {
        const struct link_case *lc = &cases[i];
        if (only >= 0 && (size_t)only != i) {
            continue;
        }
        uint32_t best;
        double capacity = blesim_capacity(&lc->p, &best);
        printf("%s\n  capacity %.0f B/s (writes of %u bytes); writes of MTU-3 = %u bytes: %.0f B/s\n",
               lc->name, capacity, (unsigned)best, (unsigned)(lc->p.att_mtu - 3u),
               blesim_goodput(&lc->p, lc->p.att_mtu - 3u));
        for (int kind = CLIENT_OURS; kind <= CLIENT_STOP_AND_WAIT && rc == 0; kind++) {
            char tag[32];
            snprintf(tag, sizeof(tag), "sim%zu%d", i, kind);
            rc = device_start(&dev, dir, tag, vectors, log);
            if (rc == 0) {
                rc = simulated(lc, (enum client_kind)kind, &dev.dev, img, sha, capacity, best);
                device_stop(&dev);
            }
        }
        if (real && rc == 0) {
            char tag[32];
            snprintf(tag, sizeof(tag), "real%zu", i);
            rc = device_start(&dev, dir, tag, vectors, log);
            if (rc == 0) {
                rc = real_paced(lc, &dev.dev, dir, img, sha, capacity);
                device_stop(&dev);
            }
        }
    }
    rmdir(dir);
    fclose(log);
    free(img);
    return rc ? 1 : 0;
}
