/*
 * Date-time text of OS command 4: ISO 8601 / RFC 3339
 * "YYYY-MM-DDTHH:MM:SS[.f{1,6}][Z|+HH:MM|-HH:MM]" ('T' may also be 't' or a
 * space). Zephyr reads the same fields (and ignores a zone); here every field
 * is range-checked, the day against its month.
 */
#ifndef SMPDFU_MGMT_OS_DATETIME_H
#define SMPDFU_MGMT_OS_DATETIME_H

#include <stdbool.h>
#include <stddef.h>

#include "mgmt/mgmt_text.h"
#include "mgmt/smp_server.h"

/* 0, or -1 if s[0..len) is not a valid date-time. */
int os_datetime_parse(const char *s, size_t len, struct smp_datetime *out);
/* Every field in range (what parse accepts). */
bool os_datetime_valid(const struct smp_datetime *dt);
/* "YYYY-MM-DDTHH:MM:SS", then ".ffffff" when usec is not 0, then the zone
 * when has_tz. */
void os_datetime_format(const struct smp_datetime *dt, struct mgmt_text *t);

#endif
