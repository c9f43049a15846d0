#include "boot/nsib_provision.h"

#include <string.h>

#include "boot/byteorder.h"
#include "boot/nsib.h"
#include "crypto/crypto.h"

#define HDR_SIZE      12u
#define KEY_SIZE      (4u + NSIB_KEY_HASH_LEN)
#define MAX_BLOCK     32u

static int read16(const struct flash_area *fa, uint32_t off, uint16_t *v)
{
    uint8_t b[2];
    int rc;

    if (off > fa->size || fa->size - off < 2) {
        return NSIB_EPROVISION;
    }
    rc = flash_area_read(fa, off, b, 2);
    if (rc == 0) {
        *v = boot_get_le16(b);
    }
    return rc;
}

static int read32(const struct flash_area *fa, uint32_t off, uint32_t *v)
{
    uint8_t b[4];
    int rc;

    if (off > fa->size || fa->size - off < 4) {
        return NSIB_EPROVISION;
    }
    rc = flash_area_read(fa, off, b, 4);
    if (rc == 0) {
        *v = boot_get_le32(b);
    }
    return rc;
}

/*
 * Program data[0, n) at off: the write covers whole write blocks, and the
 * bytes around data are written with the erased value, which NOR leaves as
 * it was -- so they must still be erased, or the flash refuses.
 */
static int program(const struct flash_area *fa, uint32_t off, const uint8_t *data, uint32_t n)
{
    uint32_t w = flash_area_align(fa);
    uint8_t block[2 * MAX_BLOCK];
    uint32_t start;
    uint32_t end;

    if (w == 0 || w > MAX_BLOCK) {
        return NSIB_EALIGN;
    }
    start = off - off % w;
    end = off + n;
    end += (w - end % w) % w;
    if (end - start > sizeof(block)) {
        return NSIB_EALIGN;
    }
    memset(block, flash_area_erased_val(fa), end - start);
    memcpy(block + (off - start), data, n);
    return flash_area_write(fa, start, block, end - start);
}

int nsib_provision_read(const struct flash_area *fa, struct nsib_provision *out)
{
    uint16_t type = 0;
    int rc;

    if (fa == NULL || out == NULL) {
        return NSIB_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    if ((rc = read32(fa, 0, &out->s0_address)) != 0 || (rc = read32(fa, 4, &out->s1_address)) != 0 ||
        (rc = read32(fa, 8, &out->num_keys)) != 0) {
        return rc;
    }
    /* An erased area reads num_keys 0xFFFFFFFF. */
    if (out->num_keys > NSIB_MAX_KEYS || HDR_SIZE + out->num_keys * KEY_SIZE > fa->size) {
        return NSIB_EPROVISION;
    }
    out->counters_off = HDR_SIZE + out->num_keys * KEY_SIZE;
    if (fa->size - out->counters_off >= 4) {
        rc = read16(fa, out->counters_off, &type);
        if (rc != 0) {
            return rc;
        }
    }
    out->has_counters = type == NSIB_COUNTER_TYPE;
    return 0;
}

int nsib_key_hash(const uint8_t pub[NSIB_PUBKEY_LEN], uint8_t out[NSIB_KEY_HASH_LEN])
{
    uint8_t h[32];

    if (crypto_hash(CRYPTO_SHA256, pub, NSIB_PUBKEY_LEN, h) != 0) {
        return NSIB_ECRYPTO;
    }
    memcpy(out, h, NSIB_KEY_HASH_LEN);
    return 0;
}

int nsib_key_read(const struct flash_area *fa, const struct nsib_provision *p, uint32_t idx,
                  uint8_t out[NSIB_KEY_HASH_LEN], bool *revoked)
{
    uint32_t off = HDR_SIZE + idx * KEY_SIZE;
    uint32_t token;
    int rc;

    if (fa == NULL || p == NULL || idx >= p->num_keys) {
        return NSIB_EINVAL;
    }
    rc = read32(fa, off, &token);
    if (rc != 0) {
        return rc;
    }
    if (revoked != NULL) {
        *revoked = token == NSIB_KEY_TOKEN_REVOKED;
    }
    return out != NULL ? flash_area_read(fa, off + 4, out, NSIB_KEY_HASH_LEN) : 0;
}

int nsib_keys_check(const struct flash_area *fa, const struct nsib_provision *p)
{
    uint8_t h[NSIB_KEY_HASH_LEN];
    bool revoked;

    for (uint32_t i = 0; p != NULL && i < p->num_keys; i++) {
        int rc = nsib_key_read(fa, p, i, h, &revoked);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t j = 0; !revoked && j < NSIB_KEY_HASH_LEN; j += 2) {
            if (h[j] == 0xff && h[j + 1] == 0xff) {
                return NSIB_EKEYHASH_FF;
            }
        }
    }
    return p != NULL ? 0 : NSIB_EINVAL;
}

int nsib_key_revoke(const struct flash_area *fa, const struct nsib_provision *p, uint32_t idx)
{
    uint8_t tok[4];
    bool revoked;
    int rc = nsib_key_read(fa, p, idx, NULL, &revoked);

    if (rc != 0 || revoked) {
        return rc;
    }
    boot_put_le32(tok, NSIB_KEY_TOKEN_REVOKED);
    /* Only the low half changes (0xFFFF -> 0x0000); the high half stays
     * erased, so devices that program two bytes need not touch it. */
    return program(fa, HDR_SIZE + idx * KEY_SIZE, tok, flash_area_align(fa) <= 2 ? 2 : 4);
}

/* Finds the counter: offset of its first slot and its slot count. */
static int counter_find(const struct flash_area *fa, const struct nsib_provision *p, uint16_t desc,
                        uint32_t *slots_off, uint16_t *num_slots)
{
    uint32_t off = p->counters_off + 4;
    uint16_t n;
    int rc;

    if (!p->has_counters) {
        return NSIB_ENOCOUNTER;
    }
    rc = read16(fa, p->counters_off + 2, &n);
    if (rc != 0) {
        return rc;
    }
    for (uint16_t i = 0; i < n && n != 0xffff; i++) {
        uint16_t d;
        uint16_t slots;

        if ((rc = read16(fa, off, &d)) != 0 || (rc = read16(fa, off + 2, &slots)) != 0) {
            return rc;
        }
        if (slots == 0xffff) {
            slots = 0;
        }
        if ((uint64_t)off + 4 + 2u * slots > fa->size) {
            return NSIB_EPROVISION;
        }
        if (d == desc) {
            *slots_off = off + 4;
            *num_slots = slots;
            return 0;
        }
        off += 4 + 2u * slots;
    }
    return NSIB_ENOCOUNTER;
}

/*
 * Current value and the index of the first erased slot (num_slots if none).
 * With a write block wider than a slot, updates fill whole blocks; a write
 * cut short leaves a block whose first slots hold the value and whose last
 * ones are still erased. Those erased tails cannot be programmed any more
 * and do not end the counter: only an erased slot that starts a block does.
 */
static int counter_scan(const struct flash_area *fa, uint32_t slots_off, uint16_t num_slots,
                        uint16_t *value, uint16_t *free_idx)
{
    uint32_t w = flash_area_align(fa);
    uint16_t highest = 0;
    uint16_t i;

    for (i = 0; i < num_slots; i++) {
        uint16_t raw;
        int rc = read16(fa, slots_off + 2u * i, &raw);
        if (rc != 0) {
            return rc;
        }
        raw = (uint16_t)~raw;
        if (raw == 0) {
            if (w > 2 && (fa->off + slots_off + 2u * i) % w != 0) {
                continue;
            }
            break;
        }
        if (raw > highest) {
            highest = raw;
        }
    }
    *value = highest;
    *free_idx = i;
    return 0;
}

int nsib_counter_get(const struct flash_area *fa, const struct nsib_provision *p, uint16_t desc,
                     uint16_t *value)
{
    uint32_t slots_off;
    uint16_t num_slots;
    uint16_t free_idx;
    int rc;

    if (fa == NULL || p == NULL || value == NULL) {
        return NSIB_EINVAL;
    }
    rc = counter_find(fa, p, desc, &slots_off, &num_slots);
    return rc != 0 ? rc : counter_scan(fa, slots_off, num_slots, value, &free_idx);
}

int nsib_counter_set(const struct flash_area *fa, const struct nsib_provision *p, uint16_t desc,
                     uint16_t value)
{
    uint32_t slots_off;
    uint16_t num_slots;
    uint16_t current;
    uint16_t free_idx;
    uint8_t unit[MAX_BLOCK];
    uint32_t w;
    uint32_t off;
    uint32_t n;
    int rc;

    if (fa == NULL || p == NULL) {
        return NSIB_EINVAL;
    }
    rc = counter_find(fa, p, desc, &slots_off, &num_slots);
    if (rc == 0) {
        rc = counter_scan(fa, slots_off, num_slots, &current, &free_idx);
    }
    if (rc != 0) {
        return rc;
    }
    if (value <= current || value == 0xffff) {
        return NSIB_ECOUNTER_VALUE;
    }
    if (free_idx >= num_slots) {
        return NSIB_ECOUNTER_FULL;
    }
    w = flash_area_align(fa);
    off = slots_off + 2u * free_idx;
    n = w <= 2 ? 2 : w;
    if (n > sizeof(unit)) {
        return NSIB_EALIGN;
    }
    if (n > 2) {
        if ((fa->off + off) % w != 0) {
            return NSIB_EALIGN;
        }
        if (off + n > slots_off + 2u * num_slots) {
            return NSIB_ECOUNTER_FULL;
        }
    }
    for (uint32_t i = 0; i < n; i += 2) {
        unit[i] = (uint8_t)~value;
        unit[i + 1] = (uint8_t)(~value >> 8);
    }
    return program(fa, off, unit, n);
}

size_t nsib_provision_size(const struct nsib_provision_params *p)
{
    size_t len = HDR_SIZE + (size_t)p->num_keys * KEY_SIZE;

    if (p->nsib_counter_slots != 0 || p->mcuboot_counter_slots != 0) {
        len += 4;
        len += p->nsib_counter_slots ? 4u + 2u * p->nsib_counter_slots : 0;
        len += p->mcuboot_counter_slots ? 4u + 2u * p->mcuboot_counter_slots : 0;
    }
    return len;
}

static void put16(uint8_t *b, size_t *len, uint16_t v)
{
    b[(*len)++] = (uint8_t)v;
    b[(*len)++] = (uint8_t)(v >> 8);
}

/* Byte i of the provision data: header and keys are short enough to build
 * in place; the counter slots that follow are all erased. */
static uint8_t provision_byte(const struct nsib_provision_params *p, size_t i)
{
    size_t keys_end = HDR_SIZE + (size_t)p->num_keys * KEY_SIZE;
    uint8_t hdr[16];
    size_t n = 0;

    if (i < HDR_SIZE) {
        boot_put_le32(hdr, p->s0_address);
        boot_put_le32(hdr + 4, p->s1_address);
        boot_put_le32(hdr + 8, p->num_keys);
        return hdr[i];
    }
    if (i < keys_end) {
        size_t k = (i - HDR_SIZE) / KEY_SIZE;
        size_t at = (i - HDR_SIZE) % KEY_SIZE;
        return at < 4 ? 0xff : p->key_hashes[k][at - 4];
    }
    i -= keys_end;
    put16(hdr, &n, NSIB_COUNTER_TYPE);
    put16(hdr, &n, (uint16_t)((p->nsib_counter_slots ? 1 : 0) + (p->mcuboot_counter_slots ? 1 : 0)));
    if (i < n) {
        return hdr[i];
    }
    i -= n;
    for (int c = 0; c < 2; c++) {
        uint16_t slots = c == 0 ? p->nsib_counter_slots : p->mcuboot_counter_slots;
        if (slots == 0) {
            continue;
        }
        n = 0;
        put16(hdr, &n, c == 0 ? NSIB_COUNTER_DESC_NSIB : NSIB_COUNTER_DESC_MCUBOOT);
        put16(hdr, &n, slots);
        if (i < n) {
            return hdr[i];
        }
        i -= n;
        if (i < 2u * slots) {
            return 0xff;
        }
        i -= 2u * slots;
    }
    return 0xff;
}

int nsib_provision_write(const struct flash_area *fa, const struct nsib_provision_params *p)
{
    uint8_t chunk[64];
    size_t len;
    size_t padded;
    uint32_t w;
    int rc;

    if (fa == NULL || p == NULL || p->num_keys > NSIB_MAX_KEYS ||
        (p->num_keys != 0 && p->key_hashes == NULL) || p->nsib_counter_slots % 2 != 0 ||
        p->mcuboot_counter_slots % 2 != 0) {
        return NSIB_EINVAL;
    }
    w = flash_area_align(fa);
    if (w == 0 || sizeof(chunk) % w != 0) {
        return NSIB_EALIGN;
    }
    len = nsib_provision_size(p);
    padded = len + (w - len % w) % w;
    if (padded > fa->size) {
        return FLASH_ERANGE;
    }
    rc = flash_area_erase_needed(fa, 0, fa->size);
    for (size_t off = 0; rc == 0 && off < padded; off += sizeof(chunk)) {
        size_t n = padded - off < sizeof(chunk) ? padded - off : sizeof(chunk);
        for (size_t i = 0; i < n; i++) {
            chunk[i] = off + i < len ? provision_byte(p, off + i) : 0xff;
        }
        rc = flash_area_write(fa, (uint32_t)off, chunk, n);
    }
    return rc;
}
