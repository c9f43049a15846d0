#include "boot/nsib_validate.h"

#include <string.h>

#include "boot/byteorder.h"
#include "boot/nsib.h"
#include "crypto/crypto.h"

#define NSIB_VINFO_VERSION 2u

uint32_t nsib_vinfo_compat(uint8_t hw_id)
{
    return NSIB_VINFO_VERSION | ((uint32_t)hw_id << 8) | (NSIB_VINFO_CRYPTO_ECDSA << 16);
}

void nsib_vinfo_encode(uint8_t hw_id, uint32_t address, const uint8_t hash[32],
                       const uint8_t pub[NSIB_PUBKEY_LEN], const uint8_t sig[64],
                       uint8_t out[NSIB_VINFO_SIZE])
{
    boot_put_le32(out, NSIB_MAGIC_COMMON);
    boot_put_le32(out + 4, NSIB_MAGIC_VALIDATION);
    boot_put_le32(out + 8, nsib_vinfo_compat(hw_id));
    boot_put_le32(out + 12, address);
    memcpy(out + 16, hash, 32);
    memcpy(out + 48, pub, NSIB_PUBKEY_LEN);
    memcpy(out + 112, sig, 64);
}

int nsib_signed_digest(const void *fw, uint32_t len, uint8_t out[32])
{
    uint8_t h1[32];

    if (crypto_hash(CRYPTO_SHA256, fw, len, h1) != 0 || crypto_hash(CRYPTO_SHA256, h1, 32, out) != 0) {
        return NSIB_ECRYPTO;
    }
    return 0;
}

/* addr in [start, end) */
static bool within(uint64_t addr, uint64_t start, uint64_t end)
{
    return start <= end && addr >= start && addr < end;
}

/* SHA-256(SHA-256(area[off, off+len))), read in chunks. */
static int flash_signed_digest(const struct flash_area *fa, uint32_t off, uint32_t len,
                               uint8_t out[32])
{
    struct crypto_hash_ctx ctx;
    uint8_t buf[256];
    uint8_t h1[32];
    int rc;

    if (crypto_hash_init(&ctx, CRYPTO_SHA256) != 0) {
        return NSIB_ECRYPTO;
    }
    while (len > 0) {
        uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
        rc = flash_area_read(fa, off, buf, n);
        if (rc != 0) {
            return rc;
        }
        if (crypto_hash_update(&ctx, buf, n) != 0) {
            return NSIB_ECRYPTO;
        }
        off += n;
        len -= n;
    }
    if (crypto_hash_finish(&ctx, h1) != 0 || crypto_hash(CRYPTO_SHA256, h1, 32, out) != 0) {
        return NSIB_ECRYPTO;
    }
    return 0;
}

/* The validation info 0..4 bytes past the firmware end (area offset). */
static int vinfo_find(const struct nsib_slot *slot, uint32_t end, uint8_t out[NSIB_VINFO_SIZE])
{
    const struct flash_area *fa = slot->fa;

    for (uint32_t i = 0; i <= NSIB_VINFO_SEARCH; i++) {
        uint32_t off = end + i;
        int rc;

        if (off > fa->size || fa->size - off < NSIB_VINFO_SIZE) {
            break;
        }
        rc = flash_area_read(fa, off, out, NSIB_VINFO_SIZE);
        if (rc != 0) {
            return rc;
        }
        if (boot_get_le32(out) == NSIB_MAGIC_COMMON && boot_get_le32(out + 4) == NSIB_MAGIC_VALIDATION &&
            boot_get_le32(out + 8) == nsib_vinfo_compat(slot->hw_id)) {
            return 0;
        }
    }
    return NSIB_ENOVINFO;
}

static int verify_with_keys(const struct nsib_slot *slot, uint32_t fw_off, uint32_t size,
                            const uint8_t vinfo[NSIB_VINFO_SIZE], struct nsib_keys *keys)
{
    const uint8_t *pub = vinfo + 48;
    const uint8_t *sig = vinfo + 112;
    uint8_t image_key_hash[NSIB_KEY_HASH_LEN];
    uint8_t digest[32];
    int rc = nsib_keys_check(keys->fa, keys->prov);

    if (rc != 0) {
        return rc;
    }
    rc = nsib_key_hash(pub, image_key_hash);
    if (rc != 0) {
        return rc;
    }
    for (uint32_t k = 0; k < keys->prov->num_keys; k++) {
        uint8_t h[NSIB_KEY_HASH_LEN];
        bool revoked;

        rc = nsib_key_read(keys->fa, keys->prov, k, h, &revoked);
        if (rc != 0) {
            return rc;
        }
        if (revoked || memcmp(h, image_key_hash, sizeof(h)) != 0) {
            continue;
        }
        rc = flash_signed_digest(slot->fa, fw_off, size, digest);
        if (rc != 0) {
            return rc;
        }
        if (crypto_verify_p256_raw(pub, digest, sig) != 0) {
            return NSIB_EBADSIG;
        }
        keys->key_used = k;
        /* Using key k proves its owner moved on: the older keys can no
         * longer sign anything NSIB accepts. A failed revocation does not
         * make this image less valid, so it is not an error here. */
        for (uint32_t old = 0; keys->revoke_older && old < k; old++) {
            (void)nsib_key_revoke(keys->fa, keys->prov, old);
        }
        return 0;
    }
    return NSIB_ENOKEY;
}

int nsib_validate(const struct nsib_slot *slot, const struct nsib_fw_info *info,
                  struct nsib_keys *keys)
{
    struct nsib_fw_info again;
    uint8_t vinfo[NSIB_VINFO_SIZE];
    uint8_t rv[4];
    uint64_t area_end;
    uint64_t fi_abs;
    uint64_t fw_end;
    uint32_t fw_off;
    int rc;

    if (slot == NULL || slot->fa == NULL || info == NULL || keys == NULL || keys->prov == NULL) {
        return NSIB_EINVAL;
    }
    area_end = (uint64_t)slot->addr + slot->fa->size;
    fi_abs = (uint64_t)slot->addr + info->off;
    /* The firmware must start in this slot, and looking for fw_info from
     * that start must find this very fw_info (NCS: "doesn't point to
     * itself"). */
    if (!within(info->address, slot->addr, area_end)) {
        return NSIB_EADDRESS;
    }
    fw_off = info->address - slot->addr;
    rc = nsib_fw_info_find(slot->fa, fw_off, slot->hw_id, &again);
    if (rc == NSIB_ENOFWINFO || (rc == 0 && again.off != info->off)) {
        return NSIB_EADDRESS;
    }
    if (rc != 0) {
        return rc;
    }
    if (info->valid != NSIB_FW_INFO_VALID) {
        return NSIB_EINVALIDATED;
    }
    if (info->version < keys->min_version) {
        return NSIB_EROLLBACK;
    }
    fw_end = (uint64_t)info->address + info->size;
    if (fw_end > area_end || info->total_size > info->size) {
        return NSIB_ESIZE;
    }
    if (info->total_size < NSIB_FW_INFO_SIZE || !within(fi_abs, info->address, fw_end) ||
        !within(fi_abs + info->total_size - 1, info->address, fw_end)) {
        return NSIB_EFWINFO_SIGNED;
    }
    if (!within(info->boot_address, info->address, fw_end) ||
        (uint64_t)info->boot_address + 8 > fw_end) {
        return NSIB_EBOOTADDR;
    }
    rc = flash_area_read(slot->fa, info->boot_address - slot->addr + 4, rv, sizeof(rv));
    if (rc != 0) {
        return rc;
    }
    if (!within(boot_get_le32(rv), info->address, fw_end)) {
        return NSIB_ERESETVEC;
    }
    rc = vinfo_find(slot, fw_off + info->size, vinfo);
    if (rc != 0) {
        return rc;
    }
    if (boot_get_le32(vinfo + 12) != info->address) {
        return NSIB_EVINFO_ADDR;
    }
    return verify_with_keys(slot, fw_off, info->size, vinfo, keys);
}
