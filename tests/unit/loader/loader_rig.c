#include "loader_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot/byteorder.h"

static void rig_log(void *arg, char level, const char *line)
{
    struct rig *r = arg;
    int n = snprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, "%c: %s\n", level, line);

    if (n > 0 && (size_t)n < sizeof(r->log) - r->log_len) {
        r->log_len += (size_t)n;
    }
}

#define RIG_MAX_SECTORS 130

uint8_t rig_write_block = 4;

void rig_open_map(struct rig *r, enum trailer_mode mode, const uint32_t *sizes, size_t count,
                  uint32_t scratch_size)
{
    struct flash_sector map[2 * RIG_MAX_SECTORS + 1];
    struct flash_sim_config fc = { .write_block = rig_write_block, .erase_value = 0xff, .sectors = map };
    uint32_t slot = 0;
    size_t n = 0;

    assert_true(count > 0 && count <= RIG_MAX_SECTORS);
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < count; i++) {
        slot += sizes[i];
    }
    for (int copy = 0; copy < 2; copy++) {
        uint32_t off = (uint32_t)copy * slot;

        for (size_t i = 0; i < count; i++) {
            map[n++] = (struct flash_sector){ .off = off, .size = sizes[i] };
            off += sizes[i];
        }
    }
    if (scratch_size > 0) {
        map[n++] = (struct flash_sector){ .off = 2 * slot, .size = scratch_size };
    }
    fc.sector_count = n;
    fc.size = 2 * slot + scratch_size;
    assert_int_equal(flash_sim_open_ram(&r->sim, &fc), 0);
    r->sector_size = sizes[0];
    r->primary = (struct flash_area){ .id = 1, .name = "primary", .dev = flash_sim_dev(&r->sim),
                                      .off = 0, .size = slot };
    r->secondary = (struct flash_area){ .id = 2, .name = "secondary",
                                        .dev = flash_sim_dev(&r->sim), .off = slot,
                                        .size = slot };
    r->scratch = (struct flash_area){ .id = 3, .name = "scratch", .dev = flash_sim_dev(&r->sim),
                                      .off = 2 * slot, .size = scratch_size };
    r->pair.primary = &r->primary;
    r->pair.secondary = &r->secondary;
    bt_signer_new(&r->signer);
    r->key = (struct image_key){ .type = CRYPTO_SIG_ED25519, .key = r->signer.der,
                                 .key_len = sizeof(r->signer.der) };
    r->cfg.trailer = trailer_config_default(mode, rig_write_block);
    r->cfg.pairs = &r->pair;
    r->cfg.pair_count = 1;
    r->cfg.scratch = scratch_size > 0 ? &r->scratch : NULL;
    r->cfg.policy = (struct image_policy){ .mode = IMAGE_VERIFY_SIGNED, .keys = &r->key,
                                           .key_count = 1 };
    r->cfg.log = rig_log;
    r->cfg.log_arg = r;
}

void rig_open(struct rig *r, enum trailer_mode mode, uint32_t sector_size, uint32_t slot_sectors)
{
    uint32_t sizes[RIG_MAX_SECTORS];

    assert_true(slot_sectors <= RIG_MAX_SECTORS);
    for (uint32_t i = 0; i < slot_sectors; i++) {
        sizes[i] = sector_size;
    }
    rig_open_map(r, mode, sizes, slot_sectors,
                 mode == TRAILER_MODE_SWAP_SCRATCH ? sector_size : 0);
}

void rig_close(struct rig *r)
{
    flash_sim_close(&r->sim);
}

static size_t build(const struct rig *r, const struct bt_signer *signer, uint8_t major,
                    uint8_t minor, uint32_t payload_len, uint8_t seed, const struct bt_tlv *prot,
                    size_t nprot, uint8_t *out, size_t cap)
{
    static uint8_t base[IMAGE_HEADER_SIZE + 131072];
    uint32_t x = 0x9e3779b9u * (seed + 1u);
    struct bt_image_spec spec = { .base = base, .hash_tlvs = 1,
                                  .signer = signer ? signer : &r->signer, .prot = prot,
                                  .nprot = nprot };

    assert_true(payload_len <= sizeof(base) - IMAGE_HEADER_SIZE);
    memset(base, 0, IMAGE_HEADER_SIZE);
    boot_put_le32(base, IMAGE_MAGIC);
    base[8] = IMAGE_HEADER_SIZE;
    boot_put_le32(base + 12, payload_len);
    base[20] = major;
    base[21] = minor;
    for (uint32_t i = 0; i < payload_len; i++) {
        x = x * 1103515245u + 12345u;
        base[IMAGE_HEADER_SIZE + i] = (uint8_t)(x >> 16);
    }
    return bt_build_image(&spec, out, cap);
}

size_t rig_image(const struct rig *r, const struct bt_signer *signer, uint8_t major,
                 uint8_t minor, uint32_t payload_len, uint8_t seed, uint8_t *out, size_t cap)
{
    return build(r, signer, major, minor, payload_len, seed, NULL, 0, out, cap);
}

size_t rig_image_prot(const struct rig *r, uint8_t major, uint32_t payload_len, uint8_t seed,
                      const struct bt_tlv *prot, size_t nprot, uint8_t *out, size_t cap)
{
    return build(r, NULL, major, 0, payload_len, seed, prot, nprot, out, cap);
}

size_t rig_image_dep(const struct rig *r, uint8_t major, uint32_t payload_len, uint8_t seed,
                     uint8_t dep_image, uint8_t dep_major, uint8_t dep_minor, uint8_t *out,
                     size_t cap)
{
    uint8_t dep[IMAGE_DEPENDENCY_TLV_LEN] = { dep_image, 0, 0, 0, dep_major, dep_minor };
    struct bt_tlv tlv = { .type = IMAGE_TLV_DEPENDENCY, .len = sizeof(dep), .data = dep };

    return build(r, NULL, major, 0, payload_len, seed, &tlv, 1, out, cap);
}

void rig_open_two(struct rig *r, uint32_t sector_size, uint32_t slot_sectors)
{
    uint32_t sizes[RIG_MAX_SECTORS];
    uint32_t slot = slot_sectors * sector_size;

    assert_true(2 * slot_sectors <= RIG_MAX_SECTORS);
    /* One map for four slots: the rig's two slots of twice the size,
     * then split. */
    for (uint32_t i = 0; i < 2 * slot_sectors; i++) {
        sizes[i] = sector_size;
    }
    rig_open_map(r, TRAILER_MODE_SWAP_MOVE, sizes, 2 * slot_sectors, 0);
    r->primary.size = slot;
    r->primary1 = (struct flash_area){ .id = 4, .name = "primary1", .dev = r->primary.dev,
                                       .off = slot, .size = slot };
    r->secondary.off = 2 * slot;
    r->secondary.size = slot;
    r->secondary1 = (struct flash_area){ .id = 5, .name = "secondary1", .dev = r->primary.dev,
                                         .off = 3 * slot, .size = slot };
    r->pairs[0] = (struct loader_pair){ .primary = &r->primary, .secondary = &r->secondary };
    r->pairs[1] = (struct loader_pair){ .primary = &r->primary1, .secondary = &r->secondary1 };
    r->cfg.pairs = r->pairs;
    r->cfg.pair_count = 2;
}

void rig_program(struct rig *r, const struct flash_area *fa, const uint8_t *data, size_t len)
{
    assert_int_equal(flash_sim_load(&r->sim, fa->off, fa->size, data, len), 0);
}

bool rig_slot_holds(const struct rig *r, const struct flash_area *fa, const uint8_t *data,
                    size_t len)
{
    return memcmp(flash_sim_raw(&r->sim) + fa->off, data, len) == 0;
}

int rig_boot(struct rig *r, struct loader_result *res)
{
    r->log_len = 0;
    r->log[0] = '\0';
    return loader_boot(&r->cfg, res);
}

bool rig_logged(const struct rig *r, const char *text)
{
    return strstr(r->log, text) != NULL;
}
