/*
 * bench_upload: image upload throughput of the smpdfu client against
 * smpdfu-device.
 *
 *   (a) UDP on loopback, frame and window from the device's OS params;
 *   (b) serial through a relay that paces both directions like a
 *       115200-baud 8N1 line (10 bits per byte), frame and window from the
 *       device;
 *   (c) like (b) with one request in flight and 128-byte frames (the old
 *       client defaults).
 *
 * Prints goodput (image bytes per second from the first request to the
 * last answer) and, for (b) and (c), its ratio to the framing ceiling of
 * the line: the rate at which the line carries image bytes once every
 * request is base64-encoded with its length, CRC, line markers and
 * newlines (SMP console framing), at the frame size used.
 *
 * usage: bench_upload [IMAGE_BYTES]   (default 512 KiB, capped to what the
 *                                      device's slot takes)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "client/commands.h"
#include "client/link.h"
#include "client/session.h"
#include "client/upload.h"
#include "transport/serial.h"
#include "transport/udp.h"
#include "wire/smp_serial.h"

#define LINE_BYTES_PER_S (115200.0 / 10.0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct device_proc {
    pid_t pid;
    char dir[64];
    char udp[512];
    char pty[512];
};

static int start_device(struct device_proc *d)
{
    snprintf(d->dir, sizeof(d->dir), "/tmp/bench_upload.XXXXXX");
    if (!mkdtemp(d->dir)) {
        return -errno;
    }
    char flash[128], install[512];
    snprintf(flash, sizeof(flash), "%s/flash.bin", d->dir);
    snprintf(install, sizeof(install), "mcuboot_primary=%s/images/signed/ed25519-basic.bin",
             SMPDFU_VECTORS);
    int fds[2];
    if (pipe(fds)) {
        return -errno;
    }
    d->pid = fork();
    if (d->pid == 0) {
        dup2(fds[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        close(fds[0]);
        execl(SMPDFU_DEVICE, SMPDFU_DEVICE, "--flash", flash, "--layout", "nrf52840-mcuboot",
              "--udp", "127.0.0.1:0", "--serial", "pty", "--install", install, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    while ((!d->udp[0] || !d->pty[0]) && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "listening udp ", 14) == 0) {
            snprintf(d->udp, sizeof(d->udp), "%s", line + 14);
        } else if (strncmp(line, "listening serial ", 17) == 0) {
            snprintf(d->pty, sizeof(d->pty), "%s", line + 17);
        }
    }
    fclose(f);
    return d->udp[0] && d->pty[0] ? 0 : -EIO;
}

static void stop_device(struct device_proc *d)
{
    kill(d->pid, SIGTERM);
    waitpid(d->pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_upload: could not remove %s\n", d->dir);
    }
}

/* One direction of the paced line: bytes queue up and leave no faster
 * than the line's rate; an idle line earns no credit. */
struct lane {
    int from, to;
    uint8_t buf[1 << 16];
    size_t head, tail;
    double free_at; /* when the line can start the next byte */
};

static void lane_pump(struct lane *l, double now)
{
    if (l->head == l->tail) {
        if (l->free_at < now) {
            l->free_at = now;
        }
        return;
    }
    size_t allowed = now > l->free_at ? (size_t)((now - l->free_at) * LINE_BYTES_PER_S) : 0;
    size_t n = l->tail - l->head;
    if (n > allowed) {
        n = allowed;
    }
    if (n == 0) {
        return;
    }
    ssize_t w = write(l->to, l->buf + l->head, n);
    if (w > 0) {
        l->head += (size_t)w;
        l->free_at += (double)w / LINE_BYTES_PER_S;
        if (l->head == l->tail) {
            l->head = l->tail = 0;
        }
    }
}

/* The relay process: client pty master <-> device pty, paced. */
static void relay(int client_fd, const char *device_pty)
{
    struct serial_port dev = { .fd = -1, .keep_fd = -1 };
    if (serial_open_device(&dev, device_pty, 115200)) {
        _exit(1);
    }
    static struct lane up, down;
    up.from = client_fd;
    up.to = dev.fd;
    down.from = dev.fd;
    down.to = client_fd;
    struct lane *lanes[2] = { &up, &down };
    for (;;) {
        struct pollfd pfd[2];
        bool busy = false;
        for (int i = 0; i < 2; i++) {
            pfd[i].fd = lanes[i]->from;
            pfd[i].events = lanes[i]->tail < sizeof(lanes[i]->buf) ? POLLIN : 0;
            busy |= lanes[i]->head != lanes[i]->tail;
        }
        int r = poll(pfd, 2, busy ? 1 : -1);
        if (r < 0 && errno != EINTR) {
            _exit(1);
        }
        for (int i = 0; i < 2; i++) {
            struct lane *l = lanes[i];
            if (r > 0 && (pfd[i].revents & POLLIN)) {
                ssize_t n = read(l->from, l->buf + l->tail, sizeof(l->buf) - l->tail);
                if (n > 0) {
                    l->tail += (size_t)n;
                }
            }
            lane_pump(l, now_s());
        }
    }
}

/* The line's image bytes per second at this frame size. */
static double framing_ceiling(const struct upload_opts *o, size_t frame)
{
    double wire = 0;
    for (size_t off = 0; off < o->len;) {
        size_t cap = upload_chunk_capacity(o, frame, off);
        size_t n = cap < o->len - off ? cap : o->len - off;
        wire += (double)smp_serial_encoded_size(frame - cap + n);
        off += n;
    }
    return LINE_BYTES_PER_S * (double)o->len / wire;
}

static int run_case(const char *name, struct client_link *link, struct upload_opts *o,
                    unsigned window, size_t frame, bool paced)
{
    struct smp_session s;
    smp_session_init(&s, link);
    s.timeout_ms = 10000;
    int rc = smp_session_negotiate(&s);
    if (rc == 0 && frame) {
        s.frame_size = frame;
    }
    if (rc == 0 && window) {
        s.window = window;
    }
    cJSON *j = NULL;
    if (rc == 0) {
        /* A fresh slot each time: otherwise the device would resume or
         * recognise the finished upload. */
        rc = cmd_image_erase(&s, 1, &j);
        cJSON_Delete(j);
    }
    struct upload_stats st;
    double t0 = now_s();
    if (rc == 0) {
        rc = image_upload(&s, o, &st);
    }
    double secs = now_s() - t0;
    if (rc) {
        printf("%s: failed (%d)\n", name, rc);
        smp_session_free(&s);
        return rc;
    }
    double goodput = (double)o->len / secs;
    printf("%s: frame %zu, window %u: %zu B in %.2f s = %.2f kB/s", name, s.frame_size, s.window,
           o->len, secs, goodput / 1000.0);
    if (paced) {
        double ceiling = framing_ceiling(o, s.frame_size);
        printf("; framing ceiling %.2f kB/s; ratio %.3f", ceiling / 1000.0, goodput / ceiling);
    }
    printf(" (%lu requests, %lu timeouts, %lu resyncs)\n", st.chunks, st.timeouts, st.resyncs);
    fflush(stdout);
    smp_session_free(&s);
    return 0;
}

int main(int argc, char **argv)
{
    size_t want = argc > 1 ? strtoul(argv[1], NULL, 0) : 512 * 1024;
    signal(SIGPIPE, SIG_IGN);
    struct device_proc dev = { 0 };
    if (start_device(&dev)) {
        fprintf(stderr, "bench_upload: %s did not start\n", SMPDFU_DEVICE);
        return 1;
    }
    struct client_link udp;
    char host[256];
    uint16_t port;
    udp_parse_hostport(dev.udp, host, sizeof(host), &port, UDP_DEFAULT_PORT);
    if (link_udp_open(&udp, host, port)) {
        stop_device(&dev);
        return 1;
    }

    /* The largest image the device's slot takes, up to the size asked. */
    struct smp_session s;
    smp_session_init(&s, &udp);
    cJSON *slots = NULL;
    size_t max = want;
    if (cmd_image_slots(&s, &slots) == 0) {
        const cJSON *img = cJSON_GetArrayItem(cJSON_GetObjectItem(slots, "images"), 0);
        const cJSON *m = cJSON_GetObjectItem(img, "max_image_size");
        if (cJSON_IsNumber(m) && (size_t)m->valuedouble < max) {
            max = (size_t)m->valuedouble & ~(size_t)4095;
        }
    }
    cJSON_Delete(slots);
    smp_session_free(&s);

    /* An image the server takes: a real MCUboot header, then noise. */
    static struct upload_opts o;
    uint8_t *img = malloc(max);
    FILE *f = fopen(SMPDFU_VECTORS "/images/signed/ed25519-basic.bin", "rb");
    if (!img || !f || fread(img, 1, 32, f) != 32) {
        fprintf(stderr, "bench_upload: cannot build the image\n");
        return 1;
    }
    fclose(f);
    srand(1);
    for (size_t i = 32; i < max; i++) {
        img[i] = (uint8_t)rand();
    }
    o.data = img;
    o.len = max;
    mbedtls_sha256_ret(img, max, o.sha, 0);
    printf("bench_upload: %zu-byte image (%zu asked; the device's slot takes at most that)\n", max,
           want);

    int rc = run_case("(a) udp loopback", &udp, &o, 0, 0, false);
    link_close(&udp);

    struct serial_port client_pty = { .fd = -1, .keep_fd = -1 };
    if (rc == 0 && serial_open_pty(&client_pty) == 0) {
        pid_t relay_pid = fork();
        if (relay_pid == 0) {
            relay(client_pty.fd, dev.pty);
        }
        struct client_link ser;
        if (link_serial_open(&ser, client_pty.path, 115200) == 0) {
            rc = run_case("(b) serial 115200 8N1", &ser, &o, 0, 0, true);
            if (rc == 0) {
                rc = run_case("(c) serial 115200 8N1, old defaults", &ser, &o, 1, 128, true);
            }
            link_close(&ser);
        }
        kill(relay_pid, SIGTERM);
        waitpid(relay_pid, NULL, 0);
        serial_close(&client_pty);
    }
    free(img);
    stop_device(&dev);
    return rc ? 1 : 0;
}
