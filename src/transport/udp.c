#include "transport/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int udp_parse_hostport(const char *spec, char *host, size_t host_cap, uint16_t *port,
                       uint16_t default_port)
{
    if (!spec || !host || host_cap == 0 || !port) {
        return -EINVAL;
    }
    const char *h = spec;
    size_t hlen;
    const char *p = NULL;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close) {
            return -EINVAL;
        }
        h = spec + 1;
        hlen = (size_t)(close - h);
        if (close[1] == ':') {
            p = close + 2;
        } else if (close[1] != '\0') {
            return -EINVAL;
        }
    } else {
        const char *colon = strrchr(spec, ':');
        if (colon && strchr(spec, ':') != colon) {
            /* Several colons without brackets: a bare IPv6 address. */
            colon = NULL;
        }
        hlen = colon ? (size_t)(colon - spec) : strlen(spec);
        p = colon ? colon + 1 : NULL;
    }
    if (hlen == 0) {
        h = "127.0.0.1";
        hlen = strlen(h);
    }
    if (hlen >= host_cap) {
        return -EINVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (!p) {
        *port = default_port;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(p, &end, 10);
    if (*p == '\0' || *end != '\0' || errno != 0 || v > 65535 || *p == '-' || *p == '+') {
        return -EINVAL;
    }
    *port = (uint16_t)v;
    return 0;
}

static int resolve(const char *host, uint16_t port, int passive, struct addrinfo **res)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    char svc[8];
    snprintf(svc, sizeof(svc), "%u", (unsigned)port);
    return getaddrinfo(host, svc, &hints, res) == 0 ? 0 : -EHOSTUNREACH;
}

static int open_common(struct udp_sock *s, const char *host, uint16_t port, int server)
{
    if (!s || !host) {
        return -EINVAL;
    }
    s->fd = -1;
    struct addrinfo *res;
    int rc = resolve(host, port, server, &res);
    if (rc) {
        return rc;
    }
    rc = -EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        int r = server ? bind(fd, ai->ai_addr, ai->ai_addrlen)
                       : connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r == 0) {
            s->fd = fd;
            rc = 0;
            break;
        }
        rc = -errno;
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

int udp_server_open(struct udp_sock *s, const char *host, uint16_t port)
{
    return open_common(s, host, port, 1);
}

int udp_client_open(struct udp_sock *s, const char *host, uint16_t port)
{
    return open_common(s, host, port, 0);
}

void udp_close(struct udp_sock *s)
{
    if (s && s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

int udp_local_port(const struct udp_sock *s, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0) {
        return -errno;
    }
    if (ss.ss_family == AF_INET) {
        *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        *port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    } else {
        return -EAFNOSUPPORT;
    }
    return 0;
}

int udp_local_name(const struct udp_sock *s, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0) {
        return -errno;
    }
    char addr[INET6_ADDRSTRLEN];
    uint16_t port;
    int rc = udp_local_port(s, &port);
    if (rc) {
        return rc;
    }
    const void *src = ss.ss_family == AF_INET
                          ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                          : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (!inet_ntop(ss.ss_family, src, addr, sizeof(addr))) {
        return -errno;
    }
    int n = snprintf(buf, cap, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
                     (unsigned)port);
    return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

ssize_t udp_recv(struct udp_sock *s, void *buf, size_t cap, struct udp_peer *from)
{
    struct udp_peer tmp;
    struct udp_peer *p = from ? from : &tmp;
    p->len = sizeof(p->addr);
    ssize_t n;
    do {
        n = recvfrom(s->fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&p->addr, &p->len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
    return (size_t)n > cap ? -EMSGSIZE : n;
}

int udp_send_to(struct udp_sock *s, const void *buf, size_t len, const struct udp_peer *to)
{
    ssize_t n;
    do {
        n = sendto(s->fd, buf, len, 0, (const struct sockaddr *)&to->addr, to->len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -errno;
    }
    return (size_t)n == len ? 0 : -EIO;
}

int udp_send(struct udp_sock *s, const void *buf, size_t len)
{
    ssize_t n;
    do {
        n = send(s->fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -errno;
    }
    return (size_t)n == len ? 0 : -EIO;
}
