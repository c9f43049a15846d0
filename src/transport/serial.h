/*
 * Serial transport: a byte stream over a tty (termios raw mode, chosen baud
 * rate) or over a pseudo-terminal this process creates (the simulated
 * device's "UART": a client opens the printed slave path like a real port).
 * Framing (SMP's console framing) is the caller's business.
 *
 * Functions return 0 (or a byte count) or a negative errno value.
 */
#ifndef SMPDFU_TRANSPORT_SERIAL_H
#define SMPDFU_TRANSPORT_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SERIAL_DEFAULT_BAUD 115200u

struct serial_port {
    int fd;
    /* Pty only: the slave end stays open here so that reads on the master
     * do not fail with EIO while no client has the slave open. */
    int keep_fd;
    char path[256]; /* the device, or the pty's slave path */
};

/* Create a pty in raw mode; the slave's path is in sp->path. */
int serial_open_pty(struct serial_port *sp);
/* Open a tty (or a pty slave) in raw 8N1 mode at baud; -EINVAL for a
 * baud rate termios does not know. */
int serial_open_device(struct serial_port *sp, const char *path, unsigned baud);
void serial_close(struct serial_port *sp);

/* Up to cap bytes: the count, 0 at end of stream, -EAGAIN if nothing is
 * waiting on a non-blocking port. */
ssize_t serial_read(struct serial_port *sp, void *buf, size_t cap);
/* All len bytes (waits for the port to drain when it is full). */
int serial_write_all(struct serial_port *sp, const void *buf, size_t len);
int serial_set_nonblocking(struct serial_port *sp, bool on);

#endif
