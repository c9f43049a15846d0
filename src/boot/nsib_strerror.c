#include "boot/nsib.h"

const char *nsib_strerror(int rc)
{
    switch (rc) {
    case 0:
        return "ok";
    case NSIB_ENOFWINFO:
        return "no fw_info at any allowed offset of the slot";
    case NSIB_EINVALIDATED:
        return "the firmware was invalidated (fw_info.valid is not 0x9102FFFF)";
    case NSIB_EADDRESS:
        return "fw_info.address is not inside this slot or does not lead back to its fw_info "
               "(image linked for the other slot?)";
    case NSIB_EROLLBACK:
        return "fw_info.version is below the monotonic counter (rollback refused)";
    case NSIB_ESIZE:
        return "firmware size runs past the slot, or fw_info.total_size exceeds it";
    case NSIB_EFWINFO_SIGNED:
        return "fw_info is not inside the signed region";
    case NSIB_EBOOTADDR:
        return "boot address is not inside the signed region";
    case NSIB_ERESETVEC:
        return "reset vector is not inside the signed region";
    case NSIB_ENOVINFO:
        return "no validation info after the firmware";
    case NSIB_EVINFO_ADDR:
        return "validation info belongs to another firmware address";
    case NSIB_EKEYHASH_FF:
        return "a provisioned key hash contains an aligned 0xFFFF (unusable)";
    case NSIB_ENOKEY:
        return "the image's public key matches no usable provisioned key";
    case NSIB_EBADSIG:
        return "first-stage signature does not verify";
    case NSIB_EPROVISION:
        return "provision area is unprovisioned, malformed or names other slots";
    case NSIB_ECOUNTER_FULL:
        return "no free monotonic counter slot left";
    case NSIB_ECOUNTER_VALUE:
        return "counter value must grow and fit 16 bits (fw_info.version at most 32766)";
    case NSIB_ENOCOUNTER:
        return "no such monotonic counter is provisioned";
    case NSIB_ENOBOOT:
        return "no bootable image in S0 or S1";
    case NSIB_EINVAL:
        return "invalid argument";
    case NSIB_EALIGN:
        return "the flash write block does not allow this in-place update";
    case NSIB_ECRYPTO:
        return "crypto library failure";
    case FLASH_EINVAL:
    case FLASH_ERANGE:
    case FLASH_EALIGN:
    case FLASH_ENOTERASED:
    case FLASH_EIO:
    case FLASH_EPOWER:
        return "flash operation failed";
    default:
        return "unknown error";
    }
}
