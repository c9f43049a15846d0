/*
 * Flash cost of one upgrade (a test request, then the swap) of a 200 KiB
 * image in each strategy the loader carries: erases and bytes written per
 * sector, counted on the flash simulator, beside what MCUboot's algorithm
 * of the same name does to that sector -- worked out here from the
 * algorithm's steps, not from our code -- and the ratio of the two.
 *
 * Layout: 4 KiB sectors, two slots of 64 sectors, write block 4, and one
 * scratch sector for swap-using-scratch. Both images are about 200 KiB,
 * so 51 sectors hold image data. Sectors with identical figures are
 * printed as one range. A ratio above 1.00 would mean more wear than
 * MCUboot; below 1.00 means less (overwrite-only skips writing chunks
 * that are erased in the source, which MCUboot writes anyway).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/byteorder.h"
#include "boot/loader.h"
#include "crypto/crypto.h"
#include "flash/sim/flash_sim.h"

#define SECTOR 4096u
#define SLOT_SECTORS 64u
#define SLOT_SIZE (SLOT_SECTORS * SECTOR)
#define IMAGE_PAYLOAD (200u * 1024u)
#define WB 4u
#define NSECT (2u * SLOT_SECTORS + 1u)

struct cost {
    uint32_t erases[NSECT];
    uint32_t bytes[NSECT];
};

static struct cost measured;

static void on_op(void *arg, enum flash_sim_op op, uint32_t addr, uint32_t len)
{
    uint32_t s = addr / SECTOR;

    (void)arg;
    if (op == FLASH_SIM_OP_ERASE) {
        measured.erases[s]++;
    } else if (op == FLASH_SIM_OP_WRITE) {
        measured.bytes[s] += len;
    }
}

/* A hash-only image: header, payload, SHA-256 TLV. */
static size_t make_image(uint8_t *out, uint32_t payload, uint8_t major, uint32_t seed)
{
    struct crypto_hash_ctx h;
    uint32_t x = seed;
    size_t pos = IMAGE_HEADER_SIZE + payload;

    memset(out, 0, IMAGE_HEADER_SIZE);
    boot_put_le32(out, IMAGE_MAGIC);
    out[8] = IMAGE_HEADER_SIZE;
    boot_put_le32(out + 12, payload);
    out[20] = major;
    for (uint32_t i = 0; i < payload; i++) {
        x = x * 1103515245u + 12345u;
        out[IMAGE_HEADER_SIZE + i] = (uint8_t)(x >> 16);
    }
    out[pos] = 0x07;
    out[pos + 1] = 0x69;
    out[pos + 2] = 4 + 4 + 32;
    out[pos + 3] = 0;
    out[pos + 4] = IMAGE_TLV_SHA256;
    out[pos + 5] = 0;
    out[pos + 6] = 32;
    out[pos + 7] = 0;
    if (crypto_hash_init(&h, CRYPTO_SHA256) != 0 || crypto_hash_update(&h, out, pos) != 0 ||
        crypto_hash_finish(&h, out + pos + 8) != 0) {
        fprintf(stderr, "swapcost: hashing failed\n");
        exit(1);
    }
    return pos + 8 + 32;
}

/* Bytes MCUboot writes when it starts a trailer for a test swap
 * (swap_status_init): swap_info, swap_size, magic. */
static uint32_t status_init_bytes(void)
{
    return WB + WB + 16;
}

/* MCUboot's swap_move.c for n data sectors: see swap_move.h's steps. */
static void expect_move(struct cost *e, uint32_t n)
{
    uint32_t sec = SLOT_SECTORS;

    e->erases[0] = 1;
    e->bytes[0] = SECTOR;
    for (uint32_t i = 1; i < n; i++) {
        e->erases[i] = 2; /* moved up into, then swapped into */
        e->bytes[i] = 2 * SECTOR;
    }
    e->erases[n] = 1; /* only the move lands there */
    e->bytes[n] = SECTOR;
    for (uint32_t i = 0; i < n; i++) {
        e->erases[sec + i] = 1;
        e->bytes[sec + i] = SECTOR;
    }
    /* Trailers: primary erased and started, 1 move + 2 swap records per
     * sector, copy_done; secondary erased. */
    e->erases[SLOT_SECTORS - 1] = 1;
    e->bytes[SLOT_SECTORS - 1] = status_init_bytes() + 3 * n * WB + WB;
    e->erases[sec + SLOT_SECTORS - 1] = 1;
}

/* MCUboot's swap_scratch.c with one-sector regions, the image clear of
 * the trailer sector. */
static void expect_scratch(struct cost *e, uint32_t n)
{
    uint32_t sec = SLOT_SECTORS;
    uint32_t scr = 2 * SLOT_SECTORS;

    for (uint32_t i = 0; i < n; i++) {
        e->erases[i] = 1;
        e->bytes[i] = SECTOR;
        e->erases[sec + i] = 1;
        e->bytes[sec + i] = SECTOR;
    }
    /* Scratch: once per region, plus once more in the first region after
     * its temporary trailer moved to the primary. */
    e->erases[scr] = n + 1;
    e->bytes[scr] = n * SECTOR + status_init_bytes();
    e->erases[SLOT_SECTORS - 1] = 1;
    e->bytes[SLOT_SECTORS - 1] = status_init_bytes() + 3 * n * WB + WB;
    e->erases[sec + SLOT_SECTORS - 1] = 1;
}

/* MCUboot's boot_copy_image: every primary sector erased, the whole slot
 * copied, the secondary's first and last sectors erased. */
static void expect_overwrite(struct cost *e)
{
    for (uint32_t i = 0; i < SLOT_SECTORS; i++) {
        e->erases[i] = 1;
        e->bytes[i] = SECTOR;
    }
    e->erases[SLOT_SECTORS] = 1;
    e->erases[2 * SLOT_SECTORS - 1] = 1;
}

static const char *area_of(uint32_t s, uint32_t *idx)
{
    if (s < SLOT_SECTORS) {
        *idx = s;
        return "primary";
    }
    if (s < 2 * SLOT_SECTORS) {
        *idx = s - SLOT_SECTORS;
        return "secondary";
    }
    *idx = 0;
    return "scratch";
}

static void print_ratio(uint32_t got, uint32_t want)
{
    if (want == 0) {
        printf(got == 0 ? "     -" : "   inf");
    } else {
        printf(" %5.2f", (double)got / want);
    }
}

static void report(const char *name, const struct cost *e, uint32_t nsect)
{
    uint64_t te = 0, tw = 0, ee = 0, ew = 0;
    uint32_t start = 0;

    printf("\n%s\n  %-22s %7s %7s %6s %9s %9s %6s\n", name, "sectors", "erases", "MCUboot",
           "ratio", "bytes", "MCUboot", "ratio");
    for (uint32_t s = 0; s < nsect; s++) {
        te += measured.erases[s];
        tw += measured.bytes[s];
        ee += e->erases[s];
        ew += e->bytes[s];
        bool last = s + 1 == nsect;
        bool same_next = !last && measured.erases[s + 1] == measured.erases[s] &&
                         measured.bytes[s + 1] == measured.bytes[s] &&
                         e->erases[s + 1] == e->erases[s] && e->bytes[s + 1] == e->bytes[s] &&
                         (s + 1 < SLOT_SECTORS) == (s < SLOT_SECTORS) &&
                         (s + 1 < 2 * SLOT_SECTORS) == (s < 2 * SLOT_SECTORS);
        if (same_next) {
            continue;
        }
        if (measured.erases[s] != 0 || measured.bytes[s] != 0 || e->erases[s] != 0 ||
            e->bytes[s] != 0) {
            uint32_t a;
            uint32_t b;
            const char *area = area_of(start, &a);
            char range[32];

            area_of(s, &b);
            if (a == b) {
                snprintf(range, sizeof(range), "%s %u", area, (unsigned)a);
            } else {
                snprintf(range, sizeof(range), "%s %u-%u", area, (unsigned)a, (unsigned)b);
            }
            printf("  %-22s %7u %7u", range, (unsigned)measured.erases[s], (unsigned)e->erases[s]);
            print_ratio(measured.erases[s], e->erases[s]);
            printf(" %9u %9u", (unsigned)measured.bytes[s], (unsigned)e->bytes[s]);
            print_ratio(measured.bytes[s], e->bytes[s]);
            printf("\n");
        }
        start = s + 1;
    }
    printf("  %-22s %7llu %7llu", "total", (unsigned long long)te, (unsigned long long)ee);
    print_ratio((uint32_t)te, (uint32_t)ee);
    printf(" %9llu %9llu", (unsigned long long)tw, (unsigned long long)ew);
    print_ratio((uint32_t)tw, (uint32_t)ew);
    printf("\n");
}

static void log_line(void *arg, char level, const char *line)
{
    (void)arg;
    if (level == 'E') {
        fprintf(stderr, "loader: %s\n", line);
    }
}

static int run(enum trailer_mode mode, const uint8_t *a, size_t a_len, const uint8_t *b,
               size_t b_len)
{
    struct flash_sector map[NSECT];
    struct flash_sim sim;
    struct flash_sim_config fc = { .write_block = WB, .erase_value = 0xff, .sectors = map,
                                   .sector_count = NSECT, .size = NSECT * SECTOR };
    struct flash_area pri;
    struct flash_area sec;
    struct flash_area scr;
    struct loader_pair pair;
    struct loader_config cfg;
    struct loader_result res;
    struct cost expect;
    uint32_t n;
    int rc;

    for (uint32_t i = 0; i < NSECT; i++) {
        map[i] = (struct flash_sector){ .off = i * SECTOR, .size = SECTOR };
    }
    if (flash_sim_open_ram(&sim, &fc) != 0) {
        return 1;
    }
    pri = (struct flash_area){ .id = 1, .name = "primary", .dev = flash_sim_dev(&sim),
                               .off = 0, .size = SLOT_SIZE };
    sec = (struct flash_area){ .id = 2, .name = "secondary", .dev = flash_sim_dev(&sim),
                               .off = SLOT_SIZE, .size = SLOT_SIZE };
    scr = (struct flash_area){ .id = 3, .name = "scratch", .dev = flash_sim_dev(&sim),
                               .off = 2 * SLOT_SIZE, .size = SECTOR };
    pair = (struct loader_pair){ .primary = &pri, .secondary = &sec };
    memset(&cfg, 0, sizeof(cfg));
    cfg.trailer = trailer_config_default(mode, WB);
    cfg.pairs = &pair;
    cfg.pair_count = 1;
    cfg.scratch = &scr;
    cfg.policy.mode = IMAGE_VERIFY_HASH_ONLY;
    cfg.log = log_line;

    flash_sim_load(&sim, pri.off, pri.size, a, a_len);
    flash_sim_load(&sim, sec.off, sec.size, b, b_len);
    rc = trailer_set_pending(&sec, &cfg.trailer, false, 0);
    memset(&measured, 0, sizeof(measured));
    flash_sim_set_trace(&sim, on_op, NULL);
    if (rc == 0) {
        rc = loader_boot(&cfg, &res);
    }
    flash_sim_set_trace(&sim, NULL, NULL);
    flash_sim_close(&sim);
    if (rc != 0 || res.images[0].swap_type != BOOT_SWAP_TYPE_TEST) {
        fprintf(stderr, "swapcost: the upgrade did not run (%d)\n", rc);
        return 1;
    }
    n = (uint32_t)((b_len > a_len ? b_len : a_len) + SECTOR - 1) / SECTOR;
    memset(&expect, 0, sizeof(expect));
    switch (mode) {
    case TRAILER_MODE_SWAP_MOVE:
        expect_move(&expect, n);
        report("swap-using-move", &expect, 2 * SLOT_SECTORS);
        break;
    case TRAILER_MODE_SWAP_SCRATCH:
        expect_scratch(&expect, n);
        report("swap-using-scratch", &expect, NSECT);
        break;
    default:
        expect_overwrite(&expect);
        report("overwrite-only", &expect, 2 * SLOT_SECTORS);
        break;
    }
    return 0;
}

int main(void)
{
    static uint8_t a[IMAGE_PAYLOAD + 256];
    static uint8_t b[IMAGE_PAYLOAD + 256];
    size_t a_len = make_image(a, IMAGE_PAYLOAD - 512, 1, 1);
    size_t b_len = make_image(b, IMAGE_PAYLOAD, 2, 2);
    int rc = 0;

    printf("One test upgrade, %zu-byte image replacing a %zu-byte one; 4 KiB sectors, "
           "write block %u\n",
           b_len, a_len, WB);
    rc |= run(TRAILER_MODE_SWAP_MOVE, a, a_len, b, b_len);
    rc |= run(TRAILER_MODE_SWAP_SCRATCH, a, a_len, b, b_len);
    rc |= run(TRAILER_MODE_OVERWRITE_ONLY, a, a_len, b, b_len);
    return rc;
}
