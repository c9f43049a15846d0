/*
 * Image upload (image group, command 1) with several chunks in flight.
 *
 * The first chunk carries len, sha (SHA-256 of the whole file, which lets
 * the device resume an upload it already has part of) and the image
 * number, and may wait for the device to erase the slot; the others are
 * sent back to back, up to the session's window, each as large as the
 * session's frame allows. The device's reply "off" is the truth: any
 * answer that disagrees with what was sent (a lost datagram, a device that
 * restarted) moves the upload to that offset, and a timeout sends again
 * from the last offset the device acknowledged.
 */
#ifndef SMPDFU_CLIENT_UPLOAD_H
#define SMPDFU_CLIENT_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/session.h"

#define IMG_MGMT_ID_UPLOAD 1

enum upload_err {
    UPLOAD_EMISMATCH = -10100, /* the device's hash of the upload is not the file's */
    UPLOAD_EOFFSET = -10101,   /* the device reported an offset beyond the image */
    UPLOAD_ESTALLED = -10102,  /* the device keeps answering without taking data */
};

struct upload_opts {
    const uint8_t *data;
    size_t len;
    uint32_t image;           /* "image" key, sent when not 0 */
    bool upgrade;             /* "upgrade": refuse unless newer than what runs */
    uint8_t sha[32];          /* SHA-256 of data */
    int chunk_timeout_ms;     /* 0: the session's */
    int first_timeout_ms;     /* 0: chunk timeout plus an erase estimate for len */
    unsigned window;          /* 0: the session's */
    size_t frame;             /* 0: the session's; otherwise the smaller one */
    int retries;              /* timeouts in a row before giving up; 0: the session's */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

struct upload_stats {
    size_t chunk_data;        /* data bytes in a full later chunk (the least) */
    unsigned long chunks;     /* requests sent */
    unsigned long resyncs;    /* times the device's offset moved the upload */
    unsigned long timeouts;
    bool match_reported, match;
};

/* The data bytes of a chunk at off that fit in frame bytes. */
size_t upload_chunk_capacity(const struct upload_opts *o, size_t frame, size_t off);

/* 0 once the device has all len bytes; SESSION_EREFUSED (s->status),
 * UPLOAD_E*, -ETIMEDOUT or a link error. */
int image_upload(struct smp_session *s, const struct upload_opts *o, struct upload_stats *st);

#endif
