/*
 * Test bench for the SMP server: a RAM flash with two image pairs and a
 * storage area, hash-only MCUboot images, in-memory ports (clock, reset,
 * upload record, log), request builders and response readers.
 */
#ifndef SMPDFU_TEST_MGMT_H
#define SMPDFU_TEST_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "boot/image.h"
#include "flash/sim/flash_sim.h"
#include "mgmt/smp_server.h"
#include "wire/smp_cbor.h"
#include "wire/smp_header.h"

/* Layout (device offsets): pair 0 at 0 / 64K (64K each), storage at 128K
 * (16K), pair 1 at 144K / 176K (32K each). 4K sectors. */
#define T_SECTOR 0x1000u
#define T_P0_OFF 0x00000u
#define T_S0_OFF 0x10000u
#define T_SLOT0_SIZE 0x10000u
#define T_STORAGE_OFF 0x20000u
#define T_STORAGE_SIZE 0x4000u
#define T_P1_OFF 0x24000u
#define T_S1_OFF 0x2c000u
#define T_SLOT1_SIZE 0x8000u
#define T_FLASH_SIZE 0x40000u

struct t_ports {
    /* clock */
    bool clock_set;
    int clock_fail;
    struct smp_datetime dt;
    /* reset */
    int reset_refuse;
    bool reset_force_seen;
    /* upload record */
    bool has_record;
    struct smp_upload_record record;
    int saves;
    int clears;
    /* b0 */
    int b0_slot;
    int b0_version_rc;       /* b0_fw_version's result; 0 reports b0_version */
    uint32_t b0_version;
    const struct flash_area *b0_candidate; /* holds MCUboot linked for b0_target */
    int b0_target;
    /* log */
    int log_lines;
    char last_log[320];
    char all_log[2048];      /* every line, each ending in '\n' */
};

struct t_bench {
    struct flash_sim sim;
    struct flash_area primary0, secondary0, primary1, secondary1, storage;
    struct smp_server_image_pair pairs[2];
    struct smp_server_config cfg;
    struct t_ports ports;
    struct smp_server srv;
    uint8_t rsp[4096];
    int rsp_len;
    uint8_t seq;
};

/* Open the RAM flash (write block wb) and fill a config: one pair (image 0)
 * or two, storage, swap-move trailer, every port wired. Does not init the
 * server: tests may change cfg first. */
void t_bench_open(struct t_bench *b, uint8_t wb, size_t pairs);
void t_bench_close(struct t_bench *b);
/* smp_server_init with b->cfg; asserts success. */
void t_bench_start(struct t_bench *b);

/* A hash-only MCUboot image: 32-byte header, payload_len bytes of payload
 * (pattern from seed), TLV info 0x6907 and a SHA-256 TLV over header +
 * payload. Returns its length; hash gets the TLV value. */
size_t t_image_build(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor, uint16_t rev,
                     uint32_t build, size_t payload_len, uint8_t seed, uint32_t flags,
                     uint8_t hash[32]);
/* Program an image into an area as a programming station would. */
void t_area_load(struct t_bench *b, const struct flash_area *fa, const uint8_t *img, size_t len);
/* SHA-256 of data (the upload's "sha"). */
void t_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* A request frame: header + body. Returns the frame length. */
size_t t_frame(uint8_t *out, uint8_t ver, uint8_t op, uint16_t group, uint8_t id, uint8_t seq,
               const uint8_t *body, size_t body_len);

/* Body builder (indefinite map). */
struct t_body {
    uint8_t buf[3072];
    struct smp_cbor_writer w;
};
void t_body_begin(struct t_body *tb);
size_t t_body_end(struct t_body *tb); /* closes the map, returns its length */

/* Send one request; the response is kept in b->rsp; returns process()'s value. */
int t_request(struct t_bench *b, uint8_t ver, uint8_t op, uint16_t group, uint8_t id,
              const uint8_t *body, size_t body_len);

/* The response's header; asserts it is complete and well-formed. */
void t_rsp_hdr(const struct t_bench *b, struct smp_hdr *hdr);
/* The response body decoded by libcbor (decref when done); asserts one map. */
cbor_item_t *t_rsp_body(const struct t_bench *b);

/* Map lookups; NULL if the key is absent. */
cbor_item_t *t_map_get(cbor_item_t *map, const char *key);
/* Lookups that must succeed (assert). */
uint64_t t_map_uint(cbor_item_t *map, const char *key);
int64_t t_map_int(cbor_item_t *map, const char *key);
bool t_map_bool(cbor_item_t *map, const char *key);
/* Text value copied into out (NUL-terminated). */
void t_map_str(cbor_item_t *map, const char *key, char *out, size_t cap);
size_t t_map_bytes(cbor_item_t *map, const char *key, uint8_t *out, size_t cap);
size_t t_map_count(cbor_item_t *map);

/* Response checks. */
/* {"rc": rc} and nothing else. */
void t_expect_rc(const struct t_bench *b, int rc);
/* {"err": {"group": g, "rc": rc}} and nothing else. */
void t_expect_err(const struct t_bench *b, uint16_t group, int rc);
/* No "rc"/"err" key. */
void t_expect_ok(const struct t_bench *b);

/* Send a request and check its error in both versions: v2 gets
 * err{group, rc}, v1 gets {"rc": v1}. */
void t_expect_group_err_both(struct t_bench *b, uint8_t op, uint16_t group, uint8_t id,
                             const uint8_t *body, size_t body_len, int rc, int v1);

/* Copy of the device's bytes in [off, off+len) (for "nothing changed"). */
void t_snapshot(const struct t_bench *b, uint32_t off, uint32_t len, uint8_t *out);
bool t_unchanged(const struct t_bench *b, uint32_t off, uint32_t len, const uint8_t *snap);

#endif
