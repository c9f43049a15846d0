/*
 * Image versions as imgtool writes them on its command line:
 * "major[.minor[.revision]][+build]".
 */
#ifndef SMPDFU_IMAGETOOL_VERSION_PARSE_H
#define SMPDFU_IMAGETOOL_VERSION_PARSE_H

#include "boot/image.h"

/* 0, or -1 when s is not a version or a field is out of its range
 * (major, minor <= 255, revision <= 65535, build < 2^32). */
int version_parse(const char *s, struct image_version *out);

/* "1.2.3+4" (build always shown, as imgtool prints it). */
void version_format(const struct image_version *v, char *buf, size_t len);

#endif
