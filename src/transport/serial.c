#include "transport/serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int make_raw(int fd, speed_t speed)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        return -errno;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (speed != B0 && (cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0)) {
        return -errno;
    }
    return tcsetattr(fd, TCSANOW, &t) == 0 ? 0 : -errno;
}

static int baud_to_speed(unsigned baud, speed_t *out)
{
    static const struct {
        unsigned baud;
        speed_t speed;
    } table[] = {
        { 9600, B9600 },     { 19200, B19200 },   { 38400, B38400 },   { 57600, B57600 },
        { 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
        { 1000000, B1000000 },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].baud == baud) {
            *out = table[i].speed;
            return 0;
        }
    }
    return -EINVAL;
}

int serial_open_pty(struct serial_port *sp)
{
    if (!sp) {
        return -EINVAL;
    }
    sp->fd = -1;
    sp->keep_fd = -1;
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) {
        return -errno;
    }
    int rc = 0;
    if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, sp->path, sizeof(sp->path)) != 0) {
        rc = -errno;
        close(m);
        return rc ? rc : -EIO;
    }
    int s = open(sp->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        rc = -errno;
        close(m);
        return rc;
    }
    /* Raw on the slave side: no echo, no line editing, no CR/LF mapping. */
    rc = make_raw(s, B0);
    if (rc) {
        close(s);
        close(m);
        return rc;
    }
    sp->fd = m;
    sp->keep_fd = s;
    return 0;
}

int serial_open_device(struct serial_port *sp, const char *path, unsigned baud)
{
    if (!sp || !path || strlen(path) >= sizeof(sp->path)) {
        return -EINVAL;
    }
    sp->fd = -1;
    sp->keep_fd = -1;
    speed_t speed;
    int rc = baud_to_speed(baud, &speed);
    if (rc) {
        return rc;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    rc = make_raw(fd, speed);
    if (rc) {
        close(fd);
        return rc;
    }
    strcpy(sp->path, path);
    sp->fd = fd;
    return 0;
}

void serial_close(struct serial_port *sp)
{
    if (!sp) {
        return;
    }
    if (sp->fd >= 0) {
        close(sp->fd);
    }
    if (sp->keep_fd >= 0) {
        close(sp->keep_fd);
    }
    sp->fd = -1;
    sp->keep_fd = -1;
}

int serial_set_nonblocking(struct serial_port *sp, bool on)
{
    int fl = fcntl(sp->fd, F_GETFL);
    if (fl < 0) {
        return -errno;
    }
    fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    return fcntl(sp->fd, F_SETFL, fl) == 0 ? 0 : -errno;
}

ssize_t serial_read(struct serial_port *sp, void *buf, size_t cap)
{
    ssize_t n;
    do {
        n = read(sp->fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
    return n;
}

int serial_write_all(struct serial_port *sp, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(sp->fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pfd = { .fd = sp->fd, .events = POLLOUT };
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                    return -errno;
                }
                continue;
            }
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
