#include "device/device_first_stage.h"

#include <string.h>

#include "boot/byteorder.h"
#include "boot/image.h"
#include "boot/nsib.h"
#include "device/device.h"

int device_b0_key_load(const char *path, uint8_t pub[NSIB_PUBKEY_LEN])
{
    struct device_key k;
    int rc = device_key_load(path, &k);

    if (rc) {
        return rc;
    }
    /* A P-256 SubjectPublicKeyInfo ends with the point 04||X||Y. */
    if (k.type != CRYPTO_SIG_ECDSA_P256 || k.der_len < NSIB_PUBKEY_LEN + 1 ||
        k.der[k.der_len - NSIB_PUBKEY_LEN - 1] != 0x04) {
        return DEVICE_EINVAL;
    }
    memcpy(pub, k.der + k.der_len - NSIB_PUBKEY_LEN, NSIB_PUBKEY_LEN);
    return 0;
}

uint32_t device_s_slot_offset(const uint8_t *data, size_t len)
{
    return len >= 4 && boot_get_le32(data) == IMAGE_MAGIC ? 0 : DEVICE_S_SLOT_PAD;
}

static int provision(struct device *dev, const struct flash_area *fa)
{
    uint8_t hash[1][NSIB_KEY_HASH_LEN];
    struct nsib_provision_params p = {
        .s0_address = dev->nsib.flash_base + dev->nsib.s0->off,
        .s1_address = dev->nsib.flash_base + dev->nsib.s1->off,
        .key_hashes = (const uint8_t(*)[NSIB_KEY_HASH_LEN])hash,
        .num_keys = 1,
        .nsib_counter_slots = DEVICE_B0_COUNTER_SLOTS,
    };
    int rc = nsib_key_hash(dev->cfg.b0_pub, hash[0]);

    if (rc == 0) {
        rc = nsib_provision_write(fa, &p);
    }
    if (rc) {
        device_log(dev, 'E', "b0: provisioning failed: %s", nsib_strerror(rc));
        return DEVICE_EFLASH;
    }
    device_log(dev, 'I',
               "b0: provisioned: S0 0x%x, S1 0x%x, one key (hash %02x%02x%02x%02x...), "
               "%u counter slots",
               (unsigned)p.s0_address, (unsigned)p.s1_address, hash[0][0], hash[0][1],
               hash[0][2], hash[0][3], DEVICE_B0_COUNTER_SLOTS);
    return DEVICE_OK;
}

int device_first_stage_open(struct device *dev)
{
    const struct layout *lo = &dev->cfg.layout;
    int s0 = layout_find(lo, "s0");
    int s1 = layout_find(lo, "s1");
    int pv = layout_find(lo, "provision");
    struct nsib_provision prov;

    dev->first_stage_on = false;
    if (lo->first_stage < 0 || s0 < 0 || s1 < 0 || pv < 0) {
        if (dev->cfg.has_b0_key) {
            device_log(dev, 'E', "b0: layout %s has no b0, provision, s0 and s1 areas", lo->name);
            return DEVICE_EINVAL;
        }
        return DEVICE_OK;
    }
    dev->nsib = (struct nsib_config){
        .s0 = &dev->areas[s0],
        .s1 = &dev->areas[s1],
        .provision = &dev->areas[pv],
        .flash_base = 0,
        .hw_id = DEVICE_B0_HW_ID,
        .rollback_protection = true,
    };
    int blank = flash_area_is_erased(dev->nsib.provision, 0, dev->nsib.provision->size);
    if (blank < 0) {
        return DEVICE_EFLASH;
    }
    if (blank == 1) {
        if (!dev->cfg.has_b0_key) {
            return DEVICE_OK; /* nothing provisioned: MCUboot starts first */
        }
        int rc = provision(dev, dev->nsib.provision);
        if (rc) {
            return rc;
        }
    } else if (dev->cfg.has_b0_key) {
        device_log(dev, 'I', "b0: provision area already written; --b0-key not applied again");
    }
    if (nsib_provision_read(dev->nsib.provision, &prov) != 0) {
        device_log(dev, 'E', "b0: provision area is not valid: the first stage will not boot");
    }
    dev->first_stage_on = true;
    return DEVICE_OK;
}

/* "S0: fw_info version 2, valid" etc. for the log. */
static void log_slot(struct device *dev, int i, const struct nsib_slot_report *r)
{
    if (!r->has_fw_info) {
        device_log(dev, 'I', "b0: S%d: no fw_info", i);
        return;
    }
    if (!r->tried || r->rc == 0) {
        device_log(dev, 'I', "b0: S%d: fw_info version %u", i, (unsigned)r->version);
        return;
    }
    device_log(dev, 'W', "b0: S%d: fw_info version %u rejected: %s%s", i, (unsigned)r->version,
               nsib_strerror(r->rc), r->invalidated ? " (fw_info invalidated)" : "");
}

int device_first_stage_boot(struct device *dev, int *slot)
{
    struct nsib_result res;
    int rc;

    *slot = -1;
    device_log(dev, 'I', "b0: first stage starting");
    rc = nsib_boot(&dev->nsib, &res);
    if (rc <= FLASH_EINVAL && rc >= FLASH_EPOWER) {
        device_log(dev, 'E', "b0: stopped: %s", nsib_strerror(rc));
        return DEVICE_EFLASH;
    }
    for (int i = 0; i < 2; i++) {
        log_slot(dev, i, &res.slots[i]);
    }
    if (rc) {
        device_log(dev, 'E', "b0: no bootable MCUboot in S0 or S1: %s", nsib_strerror(rc));
        return DEVICE_OK;
    }
    if (res.counter_raised) {
        device_log(dev, 'I', "b0: monotonic counter raised to version %u", (unsigned)res.version);
    }
    device_log(dev, 'I', "b0: booting S%d (fw_info version %u, boot address 0x%x)", res.slot,
               (unsigned)res.version, (unsigned)res.boot_address);
    *slot = res.slot;
    return DEVICE_OK;
}
