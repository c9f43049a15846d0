/*
 * Parsing and printing the date-time of OS command 4.
 */
#include "mgmt/os_datetime.h"

struct cursor {
    const char *s;
    size_t len;
    size_t pos;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits. */
static bool take_digits(struct cursor *c, unsigned n, uint32_t *out)
{
    uint32_t v = 0;

    if (c->len - c->pos < n) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        char ch = c->s[c->pos + i];

        if (!is_digit(ch)) {
            return false;
        }
        v = v * 10u + (uint32_t)(ch - '0');
    }
    c->pos += n;
    *out = v;
    return true;
}

static bool take_char(struct cursor *c, char want)
{
    if (c->pos < c->len && c->s[c->pos] == want) {
        c->pos++;
        return true;
    }
    return false;
}

static bool leap_year(uint32_t y)
{
    return (y % 4u == 0 && y % 100u != 0) || y % 400u == 0;
}

static uint8_t days_in_month(uint32_t year, uint32_t month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && leap_year(year)) {
        return 29;
    }
    return days[month - 1];
}

bool os_datetime_valid(const struct smp_datetime *dt)
{
    if (dt->year < 1900 || dt->year > 9999 || dt->month < 1 || dt->month > 12) {
        return false;
    }
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month)) {
        return false;
    }
    if (dt->hour > 23 || dt->minute > 59 || dt->second > 59 || dt->usec > 999999u) {
        return false;
    }
    return !dt->has_tz || (dt->tz_minutes > -1440 && dt->tz_minutes < 1440);
}

/* Optional ".f{1,6}": the fraction scaled to microseconds. */
static bool take_fraction(struct cursor *c, uint32_t *usec)
{
    unsigned n = 0;
    uint32_t v = 0;

    *usec = 0;
    if (!take_char(c, '.')) {
        return true;
    }
    while (c->pos < c->len && is_digit(c->s[c->pos])) {
        if (n == 6) {
            return false;
        }
        v = v * 10u + (uint32_t)(c->s[c->pos] - '0');
        c->pos++;
        n++;
    }
    if (n == 0) {
        return false;
    }
    for (; n < 6; n++) {
        v *= 10u;
    }
    *usec = v;
    return true;
}

/* Optional zone: "Z", "z" or +-HH:MM. */
static bool take_zone(struct cursor *c, struct smp_datetime *dt)
{
    uint32_t h;
    uint32_t m;
    int sign;

    dt->has_tz = false;
    dt->tz_minutes = 0;
    if (c->pos == c->len) {
        return true;
    }
    if (take_char(c, 'Z') || take_char(c, 'z')) {
        dt->has_tz = true;
        return true;
    }
    if (take_char(c, '+')) {
        sign = 1;
    } else if (take_char(c, '-')) {
        sign = -1;
    } else {
        return false;
    }
    if (!take_digits(c, 2, &h) || !take_char(c, ':') || !take_digits(c, 2, &m) || h > 23 ||
        m > 59) {
        return false;
    }
    dt->has_tz = true;
    dt->tz_minutes = (int16_t)(sign * (int)(h * 60u + m));
    return true;
}

int os_datetime_parse(const char *s, size_t len, struct smp_datetime *out)
{
    struct cursor c = {.s = s, .len = len, .pos = 0};
    struct smp_datetime dt = {0};
    uint32_t year;
    uint32_t mon;
    uint32_t day;
    uint32_t hour;
    uint32_t min;
    uint32_t sec;

    if (!take_digits(&c, 4, &year) || !take_char(&c, '-') || !take_digits(&c, 2, &mon) ||
        !take_char(&c, '-') || !take_digits(&c, 2, &day)) {
        return -1;
    }
    if (!take_char(&c, 'T') && !take_char(&c, 't') && !take_char(&c, ' ')) {
        return -1;
    }
    if (!take_digits(&c, 2, &hour) || !take_char(&c, ':') || !take_digits(&c, 2, &min) ||
        !take_char(&c, ':') || !take_digits(&c, 2, &sec)) {
        return -1;
    }
    if (!take_fraction(&c, &dt.usec) || !take_zone(&c, &dt) || c.pos != c.len) {
        return -1;
    }
    if (mon < 1 || mon > 12 || day > 31 || hour > 23 || min > 59 || sec > 59) {
        return -1;
    }
    dt.year = (uint16_t)year;
    dt.month = (uint8_t)mon;
    dt.day = (uint8_t)day;
    dt.hour = (uint8_t)hour;
    dt.minute = (uint8_t)min;
    dt.second = (uint8_t)sec;
    if (!os_datetime_valid(&dt)) {
        return -1;
    }
    *out = dt;
    return 0;
}

void os_datetime_format(const struct smp_datetime *dt, struct mgmt_text *t)
{
    mgmt_text_uint(t, dt->year, 4);
    mgmt_text_char(t, '-');
    mgmt_text_uint(t, dt->month, 2);
    mgmt_text_char(t, '-');
    mgmt_text_uint(t, dt->day, 2);
    mgmt_text_char(t, 'T');
    mgmt_text_uint(t, dt->hour, 2);
    mgmt_text_char(t, ':');
    mgmt_text_uint(t, dt->minute, 2);
    mgmt_text_char(t, ':');
    mgmt_text_uint(t, dt->second, 2);
    if (dt->usec != 0) {
        mgmt_text_char(t, '.');
        mgmt_text_uint(t, dt->usec, 6);
    }
    if (dt->has_tz) {
        uint32_t abs_min;

        if (dt->tz_minutes == 0) {
            mgmt_text_char(t, 'Z');
            return;
        }
        mgmt_text_char(t, dt->tz_minutes < 0 ? '-' : '+');
        abs_min = (uint32_t)(dt->tz_minutes < 0 ? -dt->tz_minutes : dt->tz_minutes);
        mgmt_text_uint(t, abs_min / 60u, 2);
        mgmt_text_char(t, ':');
        mgmt_text_uint(t, abs_min % 60u, 2);
    }
}
