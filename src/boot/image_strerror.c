/* Messages for the image error codes: what is wrong with the image. */
#include "boot/image.h"

const char *image_strerror(int err)
{
    switch (err) {
    case IMAGE_OK:
        return "ok";
    case IMAGE_EINVAL:
        return "invalid argument or validation policy";
    case IMAGE_EFLASH:
        return "flash read failed";
    case IMAGE_EEMPTY:
        return "no image: slot is erased";
    case IMAGE_EBADMAGIC:
        return "bad header magic";
    case IMAGE_EHDRSIZE:
        return "header size smaller than the 32-byte image header";
    case IMAGE_ETOOBIG:
        return "image larger than slot";
    case IMAGE_EENCRYPTED:
        return "encrypted images are not supported";
    case IMAGE_ECOMPRESSED:
        return "compressed images are not supported";
    case IMAGE_ETLVINFO:
        return "TLV info magic missing after the payload";
    case IMAGE_EPROTSIZE:
        return "protected TLV area size does not match the header";
    case IMAGE_ETLVLEN:
        return "TLV length past end of its area or of the slot";
    case IMAGE_ENOHASH:
        return "hash TLV missing";
    case IMAGE_EHASHDUP:
        return "more than one hash TLV";
    case IMAGE_EHASHLEN:
        return "hash TLV has the wrong length";
    case IMAGE_EHASH:
        return "hash mismatch";
    case IMAGE_ENOSIG:
        return "image is not signed";
    case IMAGE_ENOKEY:
        return "no trusted key matches the key hash";
    case IMAGE_EBADSIG:
        return "bad signature";
    case IMAGE_EKEYLEN:
        return "key hash TLV has the wrong length";
    case IMAGE_ESECCNT:
        return "security counter TLV unprotected, duplicated or not 4 bytes";
    case IMAGE_EDEPENDENCY:
        return "dependency TLV unprotected or not 12 bytes";
    case IMAGE_EDEPCOUNT:
        return "too many dependency TLVs";
    case IMAGE_EUNKNOWNTLV:
        return "unsupported TLV type in the unprotected area";
    case IMAGE_ESIGPURE:
        return "pure signatures (over the image, not its hash) are not supported";
    case IMAGE_ECRYPTO:
        return "crypto library failure";
    case IMAGE_ENOSPACE:
        return "buffer too small";
    case IMAGE_EBADKEY:
        return "a trusted key cannot be parsed";
    default:
        return "unknown error";
    }
}
