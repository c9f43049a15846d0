/*
 * MCUboot images: header, TLV areas, hash and signature validation.
 *
 * Everything is read through a struct flash_area holding one slot; no
 * function reads outside that area, whatever the header or TLVs claim.
 * Layout of an image in its slot:
 *
 *   [0, hdr_size)                      header (32 B) + padding
 *   [hdr_size, +img_size)              payload
 *   [.., +protect_tlv_size)            protected TLV area (info 0x6908), optional
 *   [.., +tot)                         unprotected TLV area (info 0x6907)
 *
 * The digest covers header, payload and protected TLV area; signatures
 * sign the digest. All functions return 0 (or a documented positive
 * value) or a negative IMAGE_E* code; image_strerror() names each code.
 */
#ifndef SMPDFU_BOOT_IMAGE_H
#define SMPDFU_BOOT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "flash/flash_area.h"

#define IMAGE_MAGIC            0x96f3b83dU
#define IMAGE_MAGIC_V1         0x96f3b83cU /* legacy, refused like MCUboot does */
#define IMAGE_HEADER_SIZE      32u

#define IMAGE_TLV_INFO_MAGIC      0x6907u
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908u
#define IMAGE_TLV_INFO_SIZE       4u
#define IMAGE_TLV_HDR_SIZE        4u

/* ih_flags */
#define IMAGE_F_PIC                      0x00000001u
#define IMAGE_F_ENCRYPTED_AES128         0x00000004u
#define IMAGE_F_ENCRYPTED_AES256         0x00000008u
#define IMAGE_F_NON_BOOTABLE             0x00000010u
#define IMAGE_F_RAM_LOAD                 0x00000020u
#define IMAGE_F_ROM_FIXED                0x00000100u
#define IMAGE_F_COMPRESSED_LZMA1         0x00000200u
#define IMAGE_F_COMPRESSED_LZMA2         0x00000400u
#define IMAGE_F_COMPRESSED_ARM_THUMB_FLT 0x00000800u

/* TLV types */
#define IMAGE_TLV_KEYHASH          0x01u
#define IMAGE_TLV_PUBKEY           0x02u
#define IMAGE_TLV_SHA256           0x10u
#define IMAGE_TLV_SHA384           0x11u
#define IMAGE_TLV_SHA512           0x12u
#define IMAGE_TLV_RSA2048_PSS      0x20u
#define IMAGE_TLV_ECDSA224         0x21u
#define IMAGE_TLV_ECDSA_SIG        0x22u
#define IMAGE_TLV_RSA3072_PSS      0x23u
#define IMAGE_TLV_ED25519          0x24u
#define IMAGE_TLV_SIG_PURE         0x25u
#define IMAGE_TLV_ENC_RSA2048      0x30u
#define IMAGE_TLV_ENC_KW           0x31u
#define IMAGE_TLV_ENC_EC256        0x32u
#define IMAGE_TLV_ENC_X25519       0x33u
#define IMAGE_TLV_ENC_X25519_SHA512 0x34u
#define IMAGE_TLV_DEPENDENCY       0x40u
#define IMAGE_TLV_SEC_CNT          0x50u
#define IMAGE_TLV_BOOT_RECORD      0x60u
#define IMAGE_TLV_DECOMP_SIZE      0x70u
#define IMAGE_TLV_DECOMP_SHA       0x71u
#define IMAGE_TLV_DECOMP_SIGNATURE 0x72u
#define IMAGE_TLV_COMP_DEC_SIZE    0x73u
#define IMAGE_TLV_UUID_VID         0x74u
#define IMAGE_TLV_UUID_CID         0x75u
#define IMAGE_TLV_ANY              0xffffu /* iterator wildcard */

#define IMAGE_DEPENDENCY_TLV_LEN 12u
#define IMAGE_SEC_CNT_TLV_LEN    4u

/* Dependencies kept in a validation result (multi-image builds). */
#ifndef IMAGE_MAX_DEPENDENCIES
#define IMAGE_MAX_DEPENDENCIES 4
#endif
/* Unknown unprotected TLV types remembered for the report. */
#ifndef IMAGE_MAX_UNKNOWN_TLVS
#define IMAGE_MAX_UNKNOWN_TLVS 4
#endif
/* Bytes read from flash per step while hashing (stack buffer). */
#ifndef IMAGE_HASH_CHUNK
#define IMAGE_HASH_CHUNK 1024
#endif

enum image_err {
    IMAGE_OK = 0,
    IMAGE_EINVAL = -1,          /* bad argument (NULL, no keys with IMAGE_VERIFY_SIGNED...) */
    IMAGE_EFLASH = -2,          /* flash read failed */
    IMAGE_EEMPTY = -3,          /* header magic reads as erased flash: no image */
    IMAGE_EBADMAGIC = -4,       /* header magic is not 0x96f3b83d */
    IMAGE_EHDRSIZE = -5,        /* ih_hdr_size smaller than the 32-byte header */
    IMAGE_ETOOBIG = -6,         /* header + payload + protected TLVs reach the end of the slot */
    IMAGE_EENCRYPTED = -7,      /* encrypted image (ENCRYPTED_* flag): not supported */
    IMAGE_ECOMPRESSED = -8,     /* compressed image (COMPRESSED_* flag): not supported */
    IMAGE_ETLVINFO = -9,        /* unprotected TLV info magic 0x6907 missing */
    IMAGE_EPROTSIZE = -10,      /* protected TLV area size disagrees with the header */
    IMAGE_ETLVLEN = -11,        /* a TLV runs past the end of its area or of the slot */
    IMAGE_ENOHASH = -12,        /* no SHA-256/384/512 TLV */
    IMAGE_EHASHDUP = -13,       /* more than one hash TLV */
    IMAGE_EHASHLEN = -14,       /* hash TLV length is not the digest size */
    IMAGE_EHASH = -15,          /* computed digest differs from the hash TLV */
    IMAGE_ENOSIG = -16,         /* signatures required but the image has none */
    IMAGE_ENOKEY = -17,         /* no trusted key matches the image's key hash / public key */
    IMAGE_EBADSIG = -18,        /* signature by a trusted key does not verify */
    IMAGE_EKEYLEN = -19,        /* KEYHASH/PUBKEY TLV of impossible length */
    IMAGE_ESECCNT = -20,        /* SEC_CNT TLV unprotected, duplicated or not 4 bytes */
    IMAGE_EDEPENDENCY = -21,    /* DEPENDENCY TLV unprotected or not 12 bytes */
    IMAGE_EDEPCOUNT = -22,      /* more DEPENDENCY TLVs than IMAGE_MAX_DEPENDENCIES */
    IMAGE_EUNKNOWNTLV = -23,    /* unknown TLV in the unprotected area (allow-list policy) */
    IMAGE_ESIGPURE = -24,       /* SIG_PURE images (signature over the image) not supported */
    IMAGE_ECRYPTO = -25,        /* hash library failure */
    IMAGE_ENOSPACE = -26,       /* output buffer too small */
    IMAGE_EBADKEY = -27,        /* a trusted key could not be parsed by the crypto library */
};

/* Names the error (any negative IMAGE_E* code; "unknown error" otherwise). */
const char *image_strerror(int err);

struct image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build_num;
};

/* Decoded image header (fields in host order). */
struct image_header {
    uint32_t magic;
    uint32_t load_addr;
    uint16_t hdr_size;
    uint16_t protect_tlv_size;
    uint32_t img_size;
    uint32_t flags;
    struct image_version ver;
};

/* Decode the 32 raw header bytes (little endian); no checks. */
void image_header_decode(const uint8_t raw[IMAGE_HEADER_SIZE], struct image_header *hdr);

/*
 * Read and check the header of the image at the start of fa:
 * IMAGE_EEMPTY if the magic word is erased, IMAGE_EBADMAGIC, IMAGE_EHDRSIZE,
 * IMAGE_ETOOBIG if hdr_size + img_size + protect_tlv_size >= fa->size
 * (overflow-safe). Flags are not judged here.
 */
int image_header_read(const struct flash_area *fa, struct image_header *hdr);

/* Offset of the first TLV info (end of the payload). */
uint32_t image_tlv_off(const struct image_header *hdr);

/* ---- TLV iteration ---------------------------------------------------- */

struct image_tlv {
    uint16_t type;
    uint16_t len;
    uint32_t off;       /* area offset of the value */
    bool protected_tlv; /* inside the protected (hashed) area */
};

struct image_tlv_iter {
    const struct flash_area *fa;
    uint16_t type;      /* filter, or IMAGE_TLV_ANY */
    uint32_t next;      /* offset of the next TLV header */
    uint32_t prot_end;  /* end of the protected area (== unprot info offset) */
    uint32_t tlv_end;   /* end of the unprotected area */
};

/*
 * Start iterating the TLVs of the image whose header is hdr (as read by
 * image_header_read). Checks the TLV infos like MCUboot: if a 0x6908 info
 * sits at the end of the payload its total must equal protect_tlv_size,
 * otherwise protect_tlv_size must be 0 (IMAGE_EPROTSIZE); the unprotected
 * info must carry 0x6907 (IMAGE_ETLVINFO); both areas must lie inside the
 * slot (IMAGE_ETLVLEN).
 */
int image_tlv_iter_begin(struct image_tlv_iter *it, const struct flash_area *fa,
                         const struct image_header *hdr, uint16_t type);

/*
 * Next TLV matching the filter, protected area first. Returns 1 and fills
 * *tlv, 0 when there are no more, or a negative code (IMAGE_ETLVLEN when a
 * TLV header or value crosses the end of its area).
 */
int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *tlv);

/* End offset of the unprotected TLV area: the bytes the image occupies. */
uint32_t image_tlv_iter_end(const struct image_tlv_iter *it);

/* ---- hashing ---------------------------------------------------------- */

/* Hash algorithm of a hash TLV type, or -1 if type is not one. */
int image_hash_alg_of_tlv(uint16_t type);

/*
 * Digest of [0, hdr_size + img_size + protect_tlv_size) of fa, read in
 * IMAGE_HASH_CHUNK steps. out gets crypto_hash_len(alg) bytes.
 */
int image_hash_compute(const struct flash_area *fa, const struct image_header *hdr,
                       enum crypto_hash_alg alg, uint8_t *out);

/* ---- validation ------------------------------------------------------- */

/* A trusted public key: the bytes imgtool's getpub prints (see crypto.h). */
struct image_key {
    enum crypto_sig_type type;
    const uint8_t *key;
    size_t key_len;
};

enum image_verify_mode {
    /* Integrity only, like MCUboot built without signature support:
     * key and signature TLVs are not looked at. */
    IMAGE_VERIFY_HASH_ONLY,
    /* At least one signature by one of keys[] must verify. */
    IMAGE_VERIFY_SIGNED,
};

struct image_policy {
    enum image_verify_mode mode;
    const struct image_key *keys;
    size_t key_count;
    /* Refuse unknown TLV types in the unprotected area, like
     * MCUBOOT_USE_TLV_ALLOW_LIST; otherwise they are only reported. */
    bool tlv_allow_list;
    /* The image (through its last TLV) must end at or before this offset,
     * e.g. slot size minus trailer (bootutil_max_image_size); 0 = slot size. */
    uint32_t max_image_end;
};

struct image_dependency {
    uint8_t image_id;
    struct image_version min_version;
};

struct image_result {
    struct image_header hdr;
    enum crypto_hash_alg hash_alg;
    uint8_t digest[CRYPTO_HASH_MAX_LEN]; /* computed digest */
    size_t digest_len;
    uint32_t image_end;          /* end of the unprotected TLV area */
    int key_index;               /* index in keys[] that verified, -1 if none */
    bool has_sec_cnt;
    uint32_t sec_cnt;
    size_t dep_count;
    struct image_dependency deps[IMAGE_MAX_DEPENDENCIES];
    /* Unknown TLV types found in the unprotected area (first few kept). */
    size_t unknown_tlv_count;
    uint16_t unknown_tlvs[IMAGE_MAX_UNKNOWN_TLVS];
    /* On failure: the reason (same as the return value) and, when a TLV is
     * to blame, its type and the offset of its value. */
    int reason;
    uint16_t bad_tlv_type;
    uint32_t bad_tlv_off;
};

/*
 * Validate the image in fa as MCUboot does: header, TLV structure, exactly
 * one hash TLV of the right length that equals the computed digest, then
 * (IMAGE_VERIFY_SIGNED) signatures: each signature TLV counts only after a
 * KEYHASH (hash of the key with the image's hash algorithm) or PUBKEY TLV
 * selecting a trusted key of the matching type; signatures of unknown keys
 * are skipped, a signature of a trusted key that does not verify rejects
 * the image. KEYHASH must be the full hash. SEC_CNT and DEPENDENCY must be
 * protected. res is filled as far as validation got; returns 0 or
 * res->reason.
 */
int image_validate(const struct flash_area *fa, const struct image_policy *policy,
                   struct image_result *res);

/* ---- quick look (SMP image list) -------------------------------------- */

struct image_slot_info {
    struct image_header hdr;
    enum crypto_hash_alg hash_alg;
    uint8_t hash[CRYPTO_HASH_MAX_LEN]; /* value of the hash TLV (not recomputed) */
    size_t hash_len;
    uint32_t image_end;
};

/*
 * What mcumgr's image list needs, without hashing: a good header, sound TLV
 * areas, exactly one hash TLV of the right length (IMAGE_ENOHASH,
 * IMAGE_EHASHDUP, IMAGE_EHASHLEN). IMAGE_EEMPTY for an erased slot.
 */
int image_read_info(const struct flash_area *fa, struct image_slot_info *info);

/* ---- versions --------------------------------------------------------- */

/* <0, 0, >0 comparing major, minor, revision and, if with_build, build. */
int image_version_cmp(const struct image_version *a, const struct image_version *b,
                      bool with_build);

/*
 * "1.2.3", or "1.2.3.4" when the build number is not 0 (as Zephyr's
 * img_mgmt prints it). Returns the string length, or IMAGE_ENOSPACE if
 * len cannot hold it and its NUL (buf then holds "").
 */
int image_version_to_str(const struct image_version *v, char *buf, size_t len);

#endif
