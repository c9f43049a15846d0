/*
 * One log line of the loader, assembled without stdio into a fixed buffer
 * and handed to the port's log callback. Text that does not fit is cut.
 */
#ifndef SMPDFU_BOOT_LOADER_LOG_H
#define SMPDFU_BOOT_LOADER_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOADER_LOG_LINE 160

struct loader_line {
    char level; /* 'I', 'W' or 'E' */
    size_t len;
    char buf[LOADER_LOG_LINE];
};

void loader_line_start(struct loader_line *l, char level, const char *text);
void loader_line_str(struct loader_line *l, const char *text);
void loader_line_u32(struct loader_line *l, uint32_t v);
/* 0x-prefixed lowercase hex. */
void loader_line_hex(struct loader_line *l, uint32_t v);

#endif
