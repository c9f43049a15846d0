/*
 * libFuzzer target: arbitrary SMP traffic into the server, on a RAM flash
 * with a valid image in the primary slot, an empty secondary and a storage
 * area.
 *
 * The input is a stream of SMP frames, each cut at 8 + its header's length
 * (the last one may be short). The header's flags byte, which the server
 * ignores, steers the run: 0x01 joins the frame with the next one into a
 * single transport packet, 0x02 restarts the server (a new struct over the
 * same flash and upload record) before the frame.
 *
 * Invariants, checked after every packet (abort on violation):
 *  - the primary slot and the bytes outside the server's areas never change;
 *  - the result is either replies or SMP_SERVER_EDROP;
 *  - the replies are back-to-back SMP packets, each with a response op, at
 *    most buf_size long, its header length equal to its body length, and a
 *    body that is exactly one CBOR map.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "crypto/crypto.h"
#include "flash/sim/flash_sim.h"
#include "mgmt/smp_server.h"
#include "wire/smp_header.h"

#define SECTOR 0x1000u
#define PRIMARY_OFF 0x00000u
#define SECONDARY_OFF 0x10000u
#define SLOT_SIZE 0x10000u
#define STORAGE_OFF 0x20000u
#define STORAGE_SIZE 0x4000u
#define GUARD_OFF (STORAGE_OFF + STORAGE_SIZE)
#define FLASH_SIZE 0x28000u
#define IMAGE_PAYLOAD 3000u

#define FLAG_JOIN 0x01u
#define FLAG_RESTART 0x02u

static struct flash_sim sim;
static struct flash_area primary, secondary, storage;
static struct smp_server_image_pair pair;
static struct smp_server_config cfg;
static struct smp_server srv;
static uint8_t image[32 + IMAGE_PAYLOAD + 40];
static size_t image_len;
static uint8_t primary_bytes[SLOT_SIZE]; /* what the primary must always hold */
static uint8_t guard[FLASH_SIZE - GUARD_OFF];
static uint8_t rsp[2 * SMP_SERVER_BUF_SIZE];
static uint8_t packet[8192];

static bool has_record;
static struct smp_upload_record record;

static void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static int upload_save(void *ctx, const struct smp_upload_record *rec)
{
    (void)ctx;
    has_record = rec != NULL;
    if (rec != NULL) {
        record = *rec;
    }
    return 0;
}

static int upload_load(void *ctx, struct smp_upload_record *rec)
{
    (void)ctx;
    if (!has_record) {
        return -1;
    }
    *rec = record;
    return 0;
}

static int clock_get(void *ctx, struct smp_datetime *out)
{
    (void)ctx;
    memset(out, 0, sizeof(*out));
    out->year = 2025;
    out->month = 1;
    out->day = 31;
    return 0;
}

static int clock_set(void *ctx, const struct smp_datetime *dt)
{
    (void)ctx;
    (void)dt;
    return 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

/* A hash-only MCUboot image, version 1.0.0. */
static void build_image(void)
{
    size_t end = 32 + IMAGE_PAYLOAD;

    put_le32(image, 0x96f3b83du);
    put_le16(image + 8, 32);
    put_le32(image + 12, IMAGE_PAYLOAD);
    image[20] = 1;
    for (size_t i = 0; i < IMAGE_PAYLOAD; i++) {
        image[32 + i] = (uint8_t)(i * 13u);
    }
    put_le16(image + end, 0x6907);
    put_le16(image + end + 2, 40);
    put_le16(image + end + 4, 0x10);
    put_le16(image + end + 6, 32);
    check(crypto_hash(CRYPTO_SHA256, image, end, image + end + 8) == CRYPTO_OK);
    image_len = end + 40;
}

static void area(struct flash_area *fa, uint8_t id, uint32_t off, uint32_t size)
{
    fa->id = id;
    fa->dev = flash_sim_dev(&sim);
    fa->off = off;
    fa->size = size;
}

static void setup_once(void)
{
    static bool done;
    struct flash_sim_config fc = {
        .size = FLASH_SIZE,
        .sector_size = SECTOR,
        .write_block = 4,
        .erase_value = 0xff,
    };

    if (done) {
        return;
    }
    done = true;
    check(flash_sim_open_ram(&sim, &fc) == 0);
    area(&primary, 1, PRIMARY_OFF, SLOT_SIZE);
    area(&secondary, 2, SECONDARY_OFF, SLOT_SIZE);
    area(&storage, 3, STORAGE_OFF, STORAGE_SIZE);
    pair = (struct smp_server_image_pair){0, &primary, &secondary};
    build_image();
    for (size_t i = 0; i < sizeof(guard); i++) {
        guard[i] = (uint8_t)(i ^ 0x5a);
    }
    memset(primary_bytes, 0xff, sizeof(primary_bytes));
    memcpy(primary_bytes, image, image_len);
    cfg.pairs = &pair;
    cfg.pair_count = 1;
    cfg.storage = &storage;
    cfg.trailer = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    cfg.bootloader_mode = 3;
    cfg.has_first_stage = true;
    cfg.build_date = "2025-01-31T00:00:00";
    cfg.clock_get = clock_get;
    cfg.clock_set = clock_set;
    cfg.upload_save = upload_save;
    cfg.upload_load = upload_load;
}

/* The same flash and an empty record for every input. */
static void reset_device(void)
{
    check(flash_sim_load(&sim, PRIMARY_OFF, SLOT_SIZE, image, image_len) == 0);
    check(flash_sim_load(&sim, SECONDARY_OFF, SLOT_SIZE, NULL, 0) == 0);
    check(flash_sim_load(&sim, STORAGE_OFF, STORAGE_SIZE, NULL, 0) == 0);
    check(flash_sim_load(&sim, GUARD_OFF, sizeof(guard), guard, sizeof(guard)) == 0);
    has_record = false;
    check(smp_server_init(&srv, &cfg) == SMP_SERVER_OK);
}

static void check_flash(void)
{
    const uint8_t *raw = flash_sim_raw(&sim);

    check(memcmp(raw + PRIMARY_OFF, primary_bytes, sizeof(primary_bytes)) == 0);
    check(memcmp(raw + GUARD_OFF, guard, sizeof(guard)) == 0);
}

static void check_replies(int rc)
{
    size_t at = 0;

    check(rc > 0 || rc == SMP_SERVER_EDROP);
    if (rc <= 0) {
        return;
    }
    check((size_t)rc <= sizeof(rsp));
    while (at < (size_t)rc) {
        struct smp_hdr hdr;
        struct cbor_load_result res;
        cbor_item_t *body;

        check(smp_hdr_decode(rsp + at, (size_t)rc - at, &hdr) == 0);
        check(hdr.op == SMP_OP_READ_RSP || hdr.op == SMP_OP_WRITE_RSP);
        check(hdr.ver <= SMP_VER_2);
        check(SMP_HDR_SIZE + (size_t)hdr.len <= (size_t)rc - at);
        check(SMP_HDR_SIZE + (size_t)hdr.len <= srv.cfg.buf_size);
        body = cbor_load(rsp + at + SMP_HDR_SIZE, hdr.len, &res);
        check(body != NULL && res.error.code == CBOR_ERR_NONE && res.read == hdr.len);
        check(cbor_isa_map(body));
        cbor_decref(&body);
        at += SMP_HDR_SIZE + hdr.len;
    }
}

/* Length of the frame at data: 8 + its header length, clipped. */
static size_t frame_len(const uint8_t *data, size_t size)
{
    size_t len;

    if (size < SMP_HDR_SIZE) {
        return size;
    }
    len = SMP_HDR_SIZE + (((size_t)data[2] << 8) | data[3]);
    return len < size ? len : size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    reset_device();
    while (size > 0) {
        size_t plen = 0;
        bool join = true;

        /* Gather joined frames into one transport packet. */
        while (size > 0 && join) {
            size_t n = frame_len(data, size);
            uint8_t flags = size > 1 ? data[1] : 0;

            if (plen == 0 && (flags & FLAG_RESTART) != 0) {
                check(smp_server_init(&srv, &cfg) == SMP_SERVER_OK);
            }
            join = (flags & FLAG_JOIN) != 0;
            if (plen + n > sizeof(packet)) {
                break;
            }
            memcpy(packet + plen, data, n);
            plen += n;
            data += n;
            size -= n;
        }
        if (plen == 0) {
            /* A single frame larger than the packet buffer: give it whole. */
            plen = frame_len(data, size);
            check_replies(smp_server_process(&srv, data, plen, rsp, sizeof(rsp)));
            data += plen;
            size -= plen;
        } else {
            check_replies(smp_server_process(&srv, packet, plen, rsp, sizeof(rsp)));
        }
        check_flash();
        (void)smp_server_take_reset(&srv);
    }
    return 0;
}
