#include "device/app_marker.h"

#include <string.h>

static const char *const names[] = {
    [APP_BEHAVIOUR_CONFIRM] = "confirm",
    [APP_BEHAVIOUR_NO_CONFIRM] = "no-confirm",
    [APP_BEHAVIOUR_FAIL] = "fail",
};

const char *app_behaviour_name(enum app_behaviour b)
{
    return (unsigned)b < sizeof(names) / sizeof(names[0]) ? names[b] : "unknown";
}

int app_behaviour_from_name(const char *name, enum app_behaviour *out)
{
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum app_behaviour)i;
            return APP_MARKER_OK;
        }
    }
    return APP_MARKER_EINVAL;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

int app_payload_write(uint8_t *buf, size_t size, const struct app_payload_opts *opts)
{
    if (!buf || !opts || (unsigned)opts->behaviour > APP_BEHAVIOUR_FAIL) {
        return APP_MARKER_EINVAL;
    }
    size_t pos = opts->vector_table ? APP_VECTOR_TABLE_LEN : 0;
    if (size < pos + APP_MARKER_LEN) {
        return APP_MARKER_EINVAL;
    }
    if (opts->vector_table) {
        put_le32(buf, opts->initial_sp);
        for (size_t i = 4; i < APP_VECTOR_TABLE_LEN; i += 4) {
            put_le32(buf + i, opts->reset_vector);
        }
    }
    memcpy(buf + pos, APP_MARKER_TAG, APP_MARKER_TAG_LEN);
    memset(buf + pos + APP_MARKER_TAG_LEN, 0, APP_MARKER_WORD_LEN);
    const char *word = names[opts->behaviour];
    memcpy(buf + pos + APP_MARKER_TAG_LEN, word, strlen(word));
    pos += APP_MARKER_LEN;

    /* xorshift32 from a fixed seed: bytes that look like code to a
     * compressor yet never spell a second tag ('S', its first byte, is
     * mapped away). */
    uint32_t x = 0x9e3779b9u;
    for (; pos < size; pos++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint8_t b = (uint8_t)(x >> 24);
        buf[pos] = b == (uint8_t)'S' ? (uint8_t)'s' : b;
    }
    return APP_MARKER_OK;
}

static int decode_word(const uint8_t *word, enum app_behaviour *out)
{
    char w[APP_MARKER_WORD_LEN + 1];
    memcpy(w, word, APP_MARKER_WORD_LEN);
    w[APP_MARKER_WORD_LEN] = '\0';
    /* The word must be NUL-padded: "confirmXYZ" is not "confirm". */
    size_t n = strlen(w);
    for (size_t i = n; i < APP_MARKER_WORD_LEN; i++) {
        if (w[i] != '\0') {
            return APP_MARKER_EBADWORD;
        }
    }
    return app_behaviour_from_name(w, out) == APP_MARKER_OK ? APP_MARKER_OK
                                                            : APP_MARKER_EBADWORD;
}

int app_marker_find(const uint8_t *buf, size_t len, enum app_behaviour *out)
{
    if (!buf || !out) {
        return APP_MARKER_EINVAL;
    }
    for (size_t i = 0; i + APP_MARKER_LEN <= len; i++) {
        if (buf[i] == 'S' && memcmp(buf + i, APP_MARKER_TAG, APP_MARKER_TAG_LEN) == 0) {
            return decode_word(buf + i + APP_MARKER_TAG_LEN, out);
        }
    }
    return APP_MARKER_ENOTFOUND;
}
