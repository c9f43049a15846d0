#include "device/app_marker_flash.h"

int app_marker_find_in_flash(const struct flash_area *fa, uint32_t off, uint32_t len,
                             enum app_behaviour *out)
{
    if (!fa || !out) {
        return APP_MARKER_EINVAL;
    }
    /* Windows overlap by one marker length minus one, so a marker that
     * straddles two reads is still seen whole in the second. */
    uint8_t win[1024];
    const uint32_t keep = APP_MARKER_LEN - 1;
    uint32_t pos = 0;
    while (pos < len) {
        uint32_t n = len - pos < sizeof(win) ? len - pos : (uint32_t)sizeof(win);
        if (flash_area_read(fa, off + pos, win, n) != 0) {
            return APP_MARKER_EFLASH;
        }
        int rc = app_marker_find(win, n, out);
        if (rc != APP_MARKER_ENOTFOUND) {
            return rc;
        }
        if (pos + n >= len) {
            break;
        }
        pos += n - keep;
    }
    return APP_MARKER_ENOTFOUND;
}
