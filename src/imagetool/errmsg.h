/*
 * One-line error messages into a caller's buffer: how the image tooling
 * says what is wrong without printing (the program decides where it goes).
 */
#ifndef SMPDFU_IMAGETOOL_ERRMSG_H
#define SMPDFU_IMAGETOOL_ERRMSG_H

#include <stddef.h>

/* Formats the message into err[0, err_len) and returns -1. */
int errmsg(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
