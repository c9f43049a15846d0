/*
 * UDP transport: one SMP packet per datagram (MCUmgr's UDP transport,
 * default port 1337). A server socket is bound and answers each sender at
 * its own address; a client socket is connected to one device. Blocking
 * or not is up to the caller: the fd can be polled.
 *
 * Functions return 0 (or a byte count) or a negative errno value; name
 * resolution failures are -EHOSTUNREACH, bad HOST:PORT strings -EINVAL.
 */
#ifndef SMPDFU_TRANSPORT_UDP_H
#define SMPDFU_TRANSPORT_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define UDP_DEFAULT_PORT 1337
/* Largest datagram accepted (MCUmgr's default UDP MTU is 1500). */
#define UDP_MAX_DATAGRAM 65507

struct udp_peer {
    struct sockaddr_storage addr;
    socklen_t len;
};

struct udp_sock {
    int fd;
};

/*
 * Split "HOST:PORT", "HOST", "[V6]:PORT" or ":PORT" into host and port;
 * a missing port is default_port, a missing host "127.0.0.1". Port 0 is
 * allowed (the system picks one when binding).
 */
int udp_parse_hostport(const char *spec, char *host, size_t host_cap, uint16_t *port,
                       uint16_t default_port);

/* Bind to host:port (port 0: any free port). */
int udp_server_open(struct udp_sock *s, const char *host, uint16_t port);
/* Socket connected to host:port; udp_send/udp_recv talk to it only. */
int udp_client_open(struct udp_sock *s, const char *host, uint16_t port);
void udp_close(struct udp_sock *s);

/* "ADDR:PORT" of the bound socket ("[ADDR]:PORT" for IPv6). */
int udp_local_name(const struct udp_sock *s, char *buf, size_t cap);
int udp_local_port(const struct udp_sock *s, uint16_t *port);

/* Receive one datagram: its length, or -EAGAIN on a non-blocking socket
 * with nothing queued. from may be NULL. A datagram longer than cap is
 * cut and reported as -EMSGSIZE. */
ssize_t udp_recv(struct udp_sock *s, void *buf, size_t cap, struct udp_peer *from);
int udp_send_to(struct udp_sock *s, const void *buf, size_t len, const struct udp_peer *to);
/* Connected (client) socket. */
int udp_send(struct udp_sock *s, const void *buf, size_t len);

#endif
