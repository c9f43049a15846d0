/*
 * The device-side SMP server: answers SMP v1 and v2 requests for the OS (0),
 * image (1) and Zephyr basic (63) groups the way Zephyr's mcumgr does, with
 * more precise errors where Zephyr is vague.
 *
 * Like littlefs's lfs_config, one struct smp_server_config describes the
 * device: the image slots, the storage partition, how the bootloader was
 * built, and the port callbacks for everything outside the server (clock,
 * reset, log, upload-progress persistence). The struct smp_server is owned by
 * the caller, holds no pointers into request buffers between calls and never
 * allocates.
 *
 *   struct smp_server srv;
 *   smp_server_init(&srv, &cfg);
 *   len = smp_server_process(&srv, req, req_len, rsp, sizeof(rsp));
 *   if (len > 0) send(rsp, len);
 *   if (smp_server_take_reset(&srv)) reboot();   // only after the reply is out
 *
 * Nothing the server keeps (flash, trailers, the upload record) changes when
 * a request is refused.
 */
#ifndef SMPDFU_MGMT_SMP_SERVER_H
#define SMPDFU_MGMT_SMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/trailer.h"
#include "flash/flash_area.h"

/* Largest request or response the server handles, 8-byte header included;
 * reported as "buf_size" by OS command 6 unless the config says otherwise. */
#ifndef SMP_SERVER_BUF_SIZE
#define SMP_SERVER_BUF_SIZE 2048
#endif
/* Requests the transport can queue; reported as "buf_count". */
#ifndef SMP_SERVER_BUF_COUNT
#define SMP_SERVER_BUF_COUNT 4
#endif
/* Bytes read from flash per step when hashing an uploaded image. */
#ifndef SMP_SERVER_READ_CHUNK
#define SMP_SERVER_READ_CHUNK 256
#endif
/* Longest "output" of OS command 7 (application info). */
#ifndef SMP_SERVER_INFO_MAX
#define SMP_SERVER_INFO_MAX 256
#endif

/* The longest "sha" an upload may carry (a full SHA-256). */
#define SMP_SERVER_SHA_MAX 32
/* Flash write blocks are at most this large (struct flash_dev). */
#define SMP_SERVER_WRITE_BLOCK_MAX 32

enum smp_server_err {
    SMP_SERVER_OK = 0,
    SMP_SERVER_EINVAL = -1,   /* bad configuration or argument */
    SMP_SERVER_EDROP = -2,    /* packet dropped: shorter than a header, or a response op */
    SMP_SERVER_ENOSPACE = -3, /* rsp_cap cannot hold even an error reply */
};

/* One image: its running (primary) and upload (secondary) slots. */
struct smp_server_image_pair {
    uint8_t image; /* image number, as SMP's "image" key */
    const struct flash_area *primary;
    const struct flash_area *secondary;
};

/* Calendar time for OS command 4. */
struct smp_datetime {
    uint16_t year;   /* 1900..9999 */
    uint8_t month;   /* 1..12 */
    uint8_t day;     /* 1..31 (checked against the month) */
    uint8_t hour;    /* 0..23 */
    uint8_t minute;  /* 0..59 */
    uint8_t second;  /* 0..59 */
    uint32_t usec;   /* 0..999999 */
    bool has_tz;     /* the text carried a zone ("Z" or +-HH:MM) */
    int16_t tz_minutes; /* offset from UTC, -1439..1439 */
};

/* clock_get results beside 0. */
enum smp_server_clock_err {
    SMP_SERVER_CLOCK_NOT_SET = -1, /* the clock has never been set */
    SMP_SERVER_CLOCK_EFAIL = -2,   /* the clock did not answer */
};

/*
 * What an interrupted upload needs to resume after a restart. The server
 * saves it each time the upload crosses a sector boundary of the slot (so
 * flash wear stays at one record per sector), and clears it when the upload
 * completes, fails or is replaced. off is always a sector start: everything
 * before it is on flash.
 */
struct smp_upload_record {
    uint8_t image;
    uint8_t sha_len;
    uint8_t sha[SMP_SERVER_SHA_MAX];
    uint32_t len; /* total image bytes */
    uint32_t off; /* bytes known to be written */
};

struct smp_server_config {
    void *ctx; /* handed to every callback */

    /* Image pairs, in image order; cfg.pairs must stay valid. */
    const struct smp_server_image_pair *pairs;
    size_t pair_count;
    /* Image number of the application running this server. */
    uint8_t active_image;
    /* Settings/storage partition erased by group 63; NULL if there is none. */
    const struct flash_area *storage;
    /* The bootloader's trailer format (upgrade strategy, alignment). */
    struct trailer_config trailer;

    /* Bootloader information (OS command 8). */
    const char *bootloader_name; /* NULL: "MCUboot" */
    int bootloader_mode;         /* MCUboot's numbering: -1 unknown, 0 single slot,
                                    1 swap-scratch, 2 overwrite-only, 3 swap-move,
                                    4 direct-XIP, 5 direct-XIP+revert, 6 RAM load,
                                    7 firmware loader, 8 single-slot RAM load,
                                    9 swap-offset */
    bool no_downgrade;           /* MCUboot built with downgrade prevention */
    bool has_first_stage;        /* an NSIB-style first stage (S0/S1) boots MCUboot */
    /* Compare build numbers too when "upgrade" asks for a newer image. */
    bool version_cmp_use_build;
    /* Let "confirm" name a slot of an image other than the running one, as
     * NCS builds for the nRF5340 do (the network core cannot confirm itself;
     * CONFIG_MCUMGR_GRP_IMG_ALLOW_CONFIRM_NON_ACTIVE_IMAGE_ANY). Otherwise
     * such a request gets IMAGE_CONFIRMATION_DENIED, as in Zephyr. */
    bool allow_confirm_other_images;

    /* OS/application info (OS command 7), one string per format letter;
     * NULL prints "unknown", except build_date: NULL makes 'b' invalid as
     * in a Zephyr build without the build-date option. */
    const char *kernel_name;       /* s */
    const char *node_name;         /* n */
    const char *kernel_release;    /* r */
    const char *kernel_version;    /* v */
    const char *build_date;        /* b */
    const char *machine;           /* m */
    const char *processor;         /* p */
    const char *hardware_platform; /* i */
    const char *os_name;           /* o */

    /* Sizes reported by OS command 6; 0 takes SMP_SERVER_BUF_SIZE/COUNT.
     * buf_size also bounds requests and responses (64..65543). */
    uint32_t buf_size;
    uint32_t buf_count;

    /* ---- ports; every one may be NULL ---- */

    /* OS reset: 0 lets the reset go ahead, anything else refuses it
     * (the client sees EBUSY and may retry with "force"). NULL: accept. */
    int (*reset_check)(void *ctx, bool force);
    /* Wall clock for OS command 4: 0, SMP_SERVER_CLOCK_NOT_SET or another
     * negative code. NULL: the command is not supported. */
    int (*clock_get)(void *ctx, struct smp_datetime *out);
    int (*clock_set)(void *ctx, const struct smp_datetime *dt);
    /* Which NSIB slot (0 = S0, 1 = S1) holds the newer MCUboot, for the
     * bootloader-info query "active_b0_slot" and the state-write check
     * below; negative if unknown. NULL: the query is not supported on this
     * device. */
    int (*b0_active_slot)(void *ctx);
    /* The fw_info version of the MCUboot that slot holds: 0 and *version,
     * or negative if unknown. Sent as "version" beside "active" (a key NCS
     * does not send; clients that do not know it ignore it), so a client
     * can tell whether a package would be newer. NULL: not sent. */
    int (*b0_fw_version)(void *ctx, uint32_t *version);
    /* Which NSIB slot (0/1) the MCUboot image in fa is linked for, or
     * negative when fa holds no bootloader candidate (an application
     * image). With b0_active_slot, a state write naming a candidate linked
     * for the slot that runs is refused (the loader would only erase it),
     * and a write naming an unknown hash while a candidate waits is
     * explained in the log. NULL: image slots hold applications only. */
    int (*b0_target_slot)(void *ctx, const struct flash_area *fa);
    /* One line of log; level 'I', 'W' or 'E'. */
    void (*log)(void *ctx, char level, const char *msg);
    /* Upload-progress persistence: save rec (NULL: forget the record);
     * load returns 0 and fills rec, or a negative code if there is none. */
    int (*upload_save)(void *ctx, const struct smp_upload_record *rec);
    int (*upload_load)(void *ctx, struct smp_upload_record *rec);
};

enum smp_server_upload_state {
    SMP_SERVER_UPLOAD_IDLE,
    SMP_SERVER_UPLOAD_ACTIVE,  /* chunks are being received */
    SMP_SERVER_UPLOAD_DORMANT, /* a record from before a restart, waiting for its first chunk */
};

/* An upload in progress (internal; part of the struct so the caller can
 * own the memory). */
struct smp_server_upload {
    uint8_t state;          /* enum smp_server_upload_state */
    uint8_t pair;           /* index into cfg.pairs */
    uint8_t sha_len;
    uint8_t sha[SMP_SERVER_SHA_MAX];
    uint32_t len;           /* total image bytes */
    uint32_t off;           /* bytes accepted: the next expected offset */
    uint32_t flash_off;     /* bytes on flash (a multiple of the write block) */
    uint32_t erased_end;    /* sectors below this were erased for this upload */
    uint32_t saved_off;     /* offset of the persisted record, 0 if none */
    uint8_t carry[SMP_SERVER_WRITE_BLOCK_MAX]; /* the partial block, off - flash_off bytes */
};

struct smp_server {
    struct smp_server_config cfg;
    struct smp_server_upload upload;
    bool reset_pending;
    uint8_t scratch[SMP_SERVER_READ_CHUNK];
};

/*
 * Check cfg and start the server: pairs must have distinct image numbers and
 * non-overlapping slots, the trailer config must be one MCUboot can be built
 * with, the storage area must not overlap a slot. Loads an interrupted
 * upload's record through upload_load (a record that does not fit the slots
 * is forgotten). Returns 0 or SMP_SERVER_EINVAL.
 */
int smp_server_init(struct smp_server *srv, const struct smp_server_config *cfg);

/*
 * Answer the SMP request(s) in req. Several requests may follow one another
 * in one packet: each gets its response, appended back to back in rsp, and
 * processing stops at the first request that fails with a base error (as in
 * Zephyr). Each response is at most buf_size bytes.
 *
 * Returns the number of response bytes, SMP_SERVER_EDROP when there is
 * nothing to answer (fewer than 8 bytes, or only response-op packets), or
 * SMP_SERVER_ENOSPACE / SMP_SERVER_EINVAL.
 */
int smp_server_process(struct smp_server *srv, const uint8_t *req, size_t req_len, uint8_t *rsp,
                       size_t rsp_cap);

/* True once after an accepted OS reset: send the reply, then reset. */
bool smp_server_take_reset(struct smp_server *srv);

#endif
