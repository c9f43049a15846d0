/*
 * Test bench for the SMP server (see mgmt_test.h).
 */
#include "mgmt_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

/* ---- ports ---------------------------------------------------------------- */

static int port_reset_check(void *ctx, bool force)
{
    struct t_ports *p = ctx;

    p->reset_force_seen = force;
    return force ? 0 : p->reset_refuse;
}

static int port_clock_get(void *ctx, struct smp_datetime *out)
{
    struct t_ports *p = ctx;

    if (p->clock_fail != 0) {
        return p->clock_fail;
    }
    if (!p->clock_set) {
        return SMP_SERVER_CLOCK_NOT_SET;
    }
    *out = p->dt;
    return 0;
}

static int port_clock_set(void *ctx, const struct smp_datetime *dt)
{
    struct t_ports *p = ctx;

    if (p->clock_fail != 0) {
        return p->clock_fail;
    }
    p->dt = *dt;
    p->clock_set = true;
    return 0;
}

static int port_b0_slot(void *ctx)
{
    return ((struct t_ports *)ctx)->b0_slot;
}

static int port_b0_version(void *ctx, uint32_t *version)
{
    struct t_ports *p = ctx;

    if (p->b0_version_rc == 0) {
        *version = p->b0_version;
    }
    return p->b0_version_rc;
}

static int port_b0_target(void *ctx, const struct flash_area *fa)
{
    struct t_ports *p = ctx;

    return fa == p->b0_candidate ? p->b0_target : -1;
}

static void port_log(void *ctx, char level, const char *msg)
{
    struct t_ports *p = ctx;
    size_t used = strlen(p->all_log);

    p->log_lines++;
    snprintf(p->last_log, sizeof(p->last_log), "%c: %s", level, msg);
    snprintf(p->all_log + used, sizeof(p->all_log) - used, "%s\n", p->last_log);
}

static int port_upload_save(void *ctx, const struct smp_upload_record *rec)
{
    struct t_ports *p = ctx;

    if (rec == NULL) {
        p->has_record = false;
        p->clears++;
        return 0;
    }
    p->record = *rec;
    p->has_record = true;
    p->saves++;
    return 0;
}

static int port_upload_load(void *ctx, struct smp_upload_record *rec)
{
    struct t_ports *p = ctx;

    if (!p->has_record) {
        return -1;
    }
    *rec = p->record;
    return 0;
}

/* ---- bench -------------------------------------------------------------- */

static void area(struct flash_area *fa, const struct t_bench *b, uint8_t id, const char *name,
                 uint32_t off, uint32_t size)
{
    fa->id = id;
    fa->name = name;
    fa->dev = flash_sim_dev(&b->sim);
    fa->off = off;
    fa->size = size;
}

void t_bench_open(struct t_bench *b, uint8_t wb, size_t pairs)
{
    struct flash_sim_config fc = {
        .size = T_FLASH_SIZE,
        .sector_size = T_SECTOR,
        .write_block = wb,
        .erase_value = 0xff,
    };

    memset(b, 0, sizeof(*b));
    assert_int_equal(flash_sim_open_ram(&b->sim, &fc), 0);
    area(&b->primary0, b, 1, "mcuboot_primary", T_P0_OFF, T_SLOT0_SIZE);
    area(&b->secondary0, b, 2, "mcuboot_secondary", T_S0_OFF, T_SLOT0_SIZE);
    area(&b->storage, b, 3, "settings_storage", T_STORAGE_OFF, T_STORAGE_SIZE);
    area(&b->primary1, b, 4, "mcuboot_primary_1", T_P1_OFF, T_SLOT1_SIZE);
    area(&b->secondary1, b, 5, "mcuboot_secondary_1", T_S1_OFF, T_SLOT1_SIZE);
    b->pairs[0] = (struct smp_server_image_pair){0, &b->primary0, &b->secondary0};
    b->pairs[1] = (struct smp_server_image_pair){1, &b->primary1, &b->secondary1};

    b->cfg.ctx = &b->ports;
    b->cfg.pairs = b->pairs;
    b->cfg.pair_count = pairs;
    b->cfg.active_image = 0;
    b->cfg.storage = &b->storage;
    b->cfg.trailer = trailer_config_default(TRAILER_MODE_SWAP_MOVE, wb);
    b->cfg.bootloader_mode = 3;
    b->cfg.kernel_name = "Zephyr";
    b->cfg.node_name = "smpdfu-device";
    b->cfg.kernel_release = "v3.5.99-ncs1";
    b->cfg.kernel_version = "3.5.99";
    b->cfg.machine = "arm";
    b->cfg.processor = "cortex-m4";
    b->cfg.hardware_platform = "nrf52840dk/nrf52840";
    b->cfg.os_name = "Zephyr";
    b->cfg.reset_check = port_reset_check;
    b->cfg.clock_get = port_clock_get;
    b->cfg.clock_set = port_clock_set;
    b->cfg.b0_active_slot = port_b0_slot;
    b->cfg.b0_fw_version = port_b0_version;
    b->cfg.b0_target_slot = port_b0_target;
    b->cfg.log = port_log;
    b->cfg.upload_save = port_upload_save;
    b->cfg.upload_load = port_upload_load;
    b->ports.b0_slot = -1;
    b->ports.b0_version_rc = -1;
}

void t_bench_close(struct t_bench *b)
{
    flash_sim_close(&b->sim);
}

void t_bench_start(struct t_bench *b)
{
    assert_int_equal(smp_server_init(&b->srv, &b->cfg), SMP_SERVER_OK);
}

/* ---- images ------------------------------------------------------------- */

void t_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    assert_int_equal(crypto_hash(CRYPTO_SHA256, data, len, out), CRYPTO_OK);
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

size_t t_image_build(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor, uint16_t rev,
                     uint32_t build, size_t payload_len, uint8_t seed, uint32_t flags,
                     uint8_t hash[32])
{
    size_t hdr = IMAGE_HEADER_SIZE;
    size_t end = hdr + payload_len;
    size_t total = end + 4 + 4 + 32;

    assert_true(total <= cap);
    memset(buf, 0, hdr);
    put_le32(buf, IMAGE_MAGIC);
    put_le16(buf + 8, (uint16_t)hdr);
    put_le32(buf + 12, (uint32_t)payload_len);
    put_le32(buf + 16, flags);
    buf[20] = major;
    buf[21] = minor;
    put_le16(buf + 22, rev);
    put_le32(buf + 24, build);
    for (size_t i = 0; i < payload_len; i++) {
        buf[hdr + i] = (uint8_t)(seed + i * 7u + (i >> 8));
    }
    put_le16(buf + end, IMAGE_TLV_INFO_MAGIC);
    put_le16(buf + end + 2, 4 + 4 + 32);
    put_le16(buf + end + 4, IMAGE_TLV_SHA256);
    put_le16(buf + end + 6, 32);
    t_sha256(buf, end, buf + end + 8);
    if (hash != NULL) {
        memcpy(hash, buf + end + 8, 32);
    }
    return total;
}

void t_area_load(struct t_bench *b, const struct flash_area *fa, const uint8_t *img, size_t len)
{
    assert_int_equal(flash_sim_load(&b->sim, fa->off, fa->size, img, len), 0);
}

/* ---- requests ----------------------------------------------------------- */

size_t t_frame(uint8_t *out, uint8_t ver, uint8_t op, uint16_t group, uint8_t id, uint8_t seq,
               const uint8_t *body, size_t body_len)
{
    struct smp_hdr hdr = {
        .op = op,
        .ver = ver,
        .len = (uint16_t)body_len,
        .group = group,
        .seq = seq,
        .id = id,
    };

    smp_hdr_encode(&hdr, out);
    if (body_len != 0) {
        memcpy(out + SMP_HDR_SIZE, body, body_len);
    }
    return SMP_HDR_SIZE + body_len;
}

void t_body_begin(struct t_body *tb)
{
    smp_cbor_writer_init(&tb->w, tb->buf, sizeof(tb->buf));
    smp_cbor_map_open(&tb->w);
}

size_t t_body_end(struct t_body *tb)
{
    size_t len;

    smp_cbor_close(&tb->w);
    assert_int_equal(smp_cbor_writer_finish(&tb->w, &len), SMP_CBOR_OK);
    return len;
}

int t_request(struct t_bench *b, uint8_t ver, uint8_t op, uint16_t group, uint8_t id,
              const uint8_t *body, size_t body_len)
{
    static uint8_t frame[SMP_HDR_SIZE + 4096];

    assert_true(body_len <= 4096);
    size_t n = t_frame(frame, ver, op, group, id, ++b->seq, body, body_len);

    b->rsp_len = smp_server_process(&b->srv, frame, n, b->rsp, sizeof(b->rsp));
    return b->rsp_len;
}

/* ---- responses ---------------------------------------------------------- */

void t_rsp_hdr(const struct t_bench *b, struct smp_hdr *hdr)
{
    assert_true(b->rsp_len >= SMP_HDR_SIZE);
    assert_int_equal(smp_hdr_decode(b->rsp, (size_t)b->rsp_len, hdr), 0);
    assert_int_equal(SMP_HDR_SIZE + hdr->len, b->rsp_len);
}

cbor_item_t *t_rsp_body(const struct t_bench *b)
{
    struct smp_hdr hdr;
    struct cbor_load_result res;
    cbor_item_t *item;

    t_rsp_hdr(b, &hdr);
    item = cbor_load(b->rsp + SMP_HDR_SIZE, hdr.len, &res);
    assert_non_null(item);
    assert_int_equal(res.error.code, CBOR_ERR_NONE);
    assert_int_equal(res.read, hdr.len);
    assert_true(cbor_isa_map(item));
    return item;
}

cbor_item_t *t_map_get(cbor_item_t *map, const char *key)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    size_t n = cbor_map_size(map);
    size_t klen = strlen(key);

    for (size_t i = 0; i < n; i++) {
        cbor_item_t *k = pairs[i].key;

        if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == klen &&
            memcmp(cbor_string_handle(k), key, klen) == 0) {
            return pairs[i].value;
        }
    }
    return NULL;
}

size_t t_map_count(cbor_item_t *map)
{
    return cbor_map_size(map);
}

uint64_t t_map_uint(cbor_item_t *map, const char *key)
{
    cbor_item_t *v = t_map_get(map, key);

    assert_non_null(v);
    assert_true(cbor_isa_uint(v));
    return cbor_get_int(v);
}

int64_t t_map_int(cbor_item_t *map, const char *key)
{
    cbor_item_t *v = t_map_get(map, key);

    assert_non_null(v);
    if (cbor_isa_uint(v)) {
        return (int64_t)cbor_get_int(v);
    }
    assert_true(cbor_isa_negint(v));
    return -1 - (int64_t)cbor_get_int(v);
}

bool t_map_bool(cbor_item_t *map, const char *key)
{
    cbor_item_t *v = t_map_get(map, key);

    assert_non_null(v);
    assert_true(cbor_is_bool(v));
    return cbor_get_bool(v);
}

void t_map_str(cbor_item_t *map, const char *key, char *out, size_t cap)
{
    cbor_item_t *v = t_map_get(map, key);
    size_t n;

    assert_non_null(v);
    assert_true(cbor_isa_string(v) && cbor_string_is_definite(v));
    n = cbor_string_length(v);
    assert_true(n < cap);
    memcpy(out, cbor_string_handle(v), n);
    out[n] = '\0';
}

size_t t_map_bytes(cbor_item_t *map, const char *key, uint8_t *out, size_t cap)
{
    cbor_item_t *v = t_map_get(map, key);
    size_t n;

    assert_non_null(v);
    assert_true(cbor_isa_bytestring(v) && cbor_bytestring_is_definite(v));
    n = cbor_bytestring_length(v);
    assert_true(n <= cap);
    memcpy(out, cbor_bytestring_handle(v), n);
    return n;
}

void t_expect_rc(const struct t_bench *b, int rc)
{
    cbor_item_t *m = t_rsp_body(b);

    assert_int_equal(t_map_count(m), 1);
    assert_int_equal(t_map_int(m, "rc"), rc);
    cbor_decref(&m);
}

void t_expect_err(const struct t_bench *b, uint16_t group, int rc)
{
    cbor_item_t *m = t_rsp_body(b);
    cbor_item_t *err;

    assert_int_equal(t_map_count(m), 1);
    err = t_map_get(m, "err");
    assert_non_null(err);
    assert_true(cbor_isa_map(err));
    assert_int_equal(t_map_uint(err, "group"), group);
    assert_int_equal(t_map_uint(err, "rc"), (uint64_t)rc);
    cbor_decref(&m);
}

void t_expect_ok(const struct t_bench *b)
{
    cbor_item_t *m = t_rsp_body(b);

    assert_null(t_map_get(m, "rc"));
    assert_null(t_map_get(m, "err"));
    cbor_decref(&m);
}

void t_expect_group_err_both(struct t_bench *b, uint8_t op, uint16_t group, uint8_t id,
                             const uint8_t *body, size_t body_len, int rc, int v1)
{
    assert_true(t_request(b, SMP_VER_2, op, group, id, body, body_len) > 0);
    t_expect_err(b, group, rc);
    assert_true(t_request(b, SMP_VER_1, op, group, id, body, body_len) > 0);
    t_expect_rc(b, v1);
}

void t_snapshot(const struct t_bench *b, uint32_t off, uint32_t len, uint8_t *out)
{
    memcpy(out, flash_sim_raw(&b->sim) + off, len);
}

bool t_unchanged(const struct t_bench *b, uint32_t off, uint32_t len, const uint8_t *snap)
{
    return memcmp(flash_sim_raw(&b->sim) + off, snap, len) == 0;
}
