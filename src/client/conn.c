#include "client/conn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "transport/blesim_spec.h"
#include "transport/serial.h"
#include "transport/udp.h"

static int fail(char *err, size_t cap, int rc, const char *fmt, const char *what)
{
    snprintf(err, cap, fmt, what);
    return rc;
}

static int parse_baud(const char *v, unsigned *baud)
{
    char *end;
    unsigned long b = strtoul(v, &end, 10);
    if (*v == '\0' || *end || b == 0 || b > 100000000) {
        return -EINVAL;
    }
    *baud = (unsigned)b;
    return 0;
}

static int parse_udp(const char *s, struct conn_spec *c, char *err, size_t cap)
{
    c->type = CONN_UDP;
    if (*s == '\0' || udp_parse_hostport(s, c->host, sizeof(c->host), &c->port, UDP_DEFAULT_PORT)) {
        return fail(err, cap, -EINVAL, "bad UDP address \"%s\" (want HOST[:PORT])", s);
    }
    return 0;
}

/* "PATH[,baud=N][,mtu=N]" or "dev=PATH,baud=N" (Go's keys). */
static int parse_serial(const char *s, struct conn_spec *c, char *err, size_t cap)
{
    c->type = CONN_SERIAL;
    c->baud = SERIAL_DEFAULT_BAUD;
    c->device[0] = '\0';
    char tmp[512];
    if (strlen(s) >= sizeof(tmp)) {
        return fail(err, cap, -EINVAL, "serial connection string too long%s", "");
    }
    strcpy(tmp, s);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (c->device[0]) {
                return fail(err, cap, -EINVAL, "serial: two device paths in \"%s\"", s);
            }
            snprintf(c->device, sizeof(c->device), "%s", tok);
            continue;
        }
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(tok, "dev") == 0) {
            snprintf(c->device, sizeof(c->device), "%s", v);
        } else if (strcmp(tok, "baud") == 0) {
            if (parse_baud(v, &c->baud)) {
                return fail(err, cap, -EINVAL, "serial: bad baud rate \"%s\"", v);
            }
        } else if (strcmp(tok, "mtu") != 0) {
            /* mtu= is Go's knob for what the device's buf_size now says. */
            return fail(err, cap, -EINVAL, "serial: unknown option \"%s\" (dev=, baud=)", tok);
        }
    }
    if (!c->device[0]) {
        return fail(err, cap, -EINVAL, "serial: no device in \"%s\" (want serial:DEVICE[,baud=N])",
                    s);
    }
    return 0;
}

static int parse_ble(const char *s, struct conn_spec *c, char *err, size_t cap)
{
    c->type = CONN_BLE;
    const char *eq = strchr(s, '=');
    const char *v = eq ? eq + 1 : s;
    if (!*v) {
        return fail(err, cap, -EINVAL, "ble: no device name or address%s", "");
    }
    snprintf(c->device, sizeof(c->device), "%s", v);
    return 0;
}

int conn_parse(const char *spec, struct conn_spec *c, char *err, size_t cap)
{
    memset(c, 0, sizeof(*c));
    if (strncmp(spec, "udp:", 4) == 0) {
        return parse_udp(spec + 4, c, err, cap);
    }
    if (strncmp(spec, "serial:", 7) == 0) {
        return parse_serial(spec + 7, c, err, cap);
    }
    if (strncmp(spec, "ble:", 4) == 0) {
        return parse_ble(spec + 4, c, err, cap);
    }
    if (strncmp(spec, "blesim:", 7) == 0) {
        struct blesim_params p;
        char path[256];
        c->type = CONN_BLESIM;
        if (blesim_spec_parse(spec + 7, path, sizeof(path), &p)) {
            return fail(err, cap, -EINVAL,
                        "bad simulated BLE link \"%s\" (want blesim:SOCKET[,interval=MS]"
                        "[,phy=1M|2M][,mtu=N][,dle=N][,ppe=N][,enc=0|1])",
                        spec);
        }
        snprintf(c->device, sizeof(c->device), "%s", spec + 7);
        return 0;
    }
    return fail(err, cap, -EINVAL,
                "unknown connection \"%s\" (want udp:HOST[:PORT], serial:DEVICE[,baud=N], "
                "ble:NAME, blesim:SOCKET or a saved profile)",
                spec);
}

int conn_parse_go(const char *type, const char *connstring, struct conn_spec *c, char *err,
                  size_t cap)
{
    memset(c, 0, sizeof(*c));
    if (!connstring) {
        return fail(err, cap, -EINVAL, "--conntype %s needs --connstring", type);
    }
    if (strcmp(type, "udp") == 0) {
        return parse_udp(connstring, c, err, cap);
    }
    if (strcmp(type, "serial") == 0) {
        return parse_serial(connstring, c, err, cap);
    }
    if (strcmp(type, "ble") == 0) {
        return parse_ble(connstring, c, err, cap);
    }
    return fail(err, cap, -EINVAL, "unknown --conntype \"%s\" (udp, serial, ble)", type);
}

int conn_open(const struct conn_spec *c, struct client_link *l, char *err, size_t cap)
{
    int rc;
    switch (c->type) {
    case CONN_UDP:
        rc = link_udp_open(l, c->host, c->port);
        if (rc) {
            snprintf(err, cap, "udp %s:%u: %s", c->host, c->port, strerror(-rc));
        }
        return rc;
    case CONN_SERIAL:
        rc = link_serial_open(l, c->device, c->baud);
        if (rc) {
            snprintf(err, cap, "serial %s: %s", c->device, strerror(-rc));
        }
        return rc;
    case CONN_BLE:
        rc = link_bluez_open(l, c->device);
        if (rc) {
            snprintf(err, cap, "ble %s: %s (is bluetoothd running, the adapter on, the device "
                               "advertising?)",
                     c->device, rc == -ETIMEDOUT ? "not found or not connectable" : strerror(-rc));
        }
        return rc;
    case CONN_BLESIM:
        rc = link_blesim_open(l, c->device);
        if (rc) {
            snprintf(err, cap, "blesim %s: %s", c->device, strerror(-rc));
        }
        return rc;
    }
    return -EINVAL;
}

int conn_profiles_path(char *buf, size_t cap)
{
    const char *env = getenv("SMPDFU_CONNECTIONS");
    int n;
    if (env && *env) {
        n = snprintf(buf, cap, "%s", env);
    } else if (getenv("XDG_CONFIG_HOME") && *getenv("XDG_CONFIG_HOME")) {
        n = snprintf(buf, cap, "%s/smpdfu/connections", getenv("XDG_CONFIG_HOME"));
    } else if (getenv("HOME")) {
        n = snprintf(buf, cap, "%s/.config/smpdfu/connections", getenv("HOME"));
    } else {
        return -ENOENT;
    }
    return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

/* Splits a profile line into name and spec in place; false for blank
 * lines and comments. */
static bool split_line(char *line, char **name, char **spec)
{
    line[strcspn(line, "#\r\n")] = '\0';
    char *save = NULL;
    *name = strtok_r(line, " \t", &save);
    *spec = *name ? strtok_r(NULL, " \t", &save) : NULL;
    return *name && *spec;
}

int conn_profile_find(const char *name, char *spec, size_t cap)
{
    char path[512];
    int rc = conn_profiles_path(path, sizeof(path));
    if (rc) {
        return rc;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        return -ENOENT;
    }
    char line[1024];
    rc = -ENOENT;
    while (fgets(line, sizeof(line), f)) {
        char *n, *s;
        if (split_line(line, &n, &s) && strcmp(n, name) == 0) {
            snprintf(spec, cap, "%s", s);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

/* Rewrites the file without name, then (spec != NULL) with name = spec. */
static int rewrite(const char *name, const char *spec)
{
    char path[512], tmp[530];
    int rc = conn_profiles_path(path, sizeof(path));
    if (rc) {
        return rc;
    }
    char *slash = strrchr(path, '/');
    if (slash) {
        /* Create the directory (one level, as ~/.config exists). */
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        return -errno;
    }
    bool found = false;
    FILE *in = fopen(path, "r");
    if (in) {
        char line[1024], copy[1024];
        while (fgets(line, sizeof(line), in)) {
            char *n, *s;
            memcpy(copy, line, sizeof(copy));
            if (split_line(copy, &n, &s) && strcmp(n, name) == 0) {
                found = true;
                continue;
            }
            fputs(line, out);
        }
        fclose(in);
    }
    if (spec) {
        fprintf(out, "%s %s\n", name, spec);
    }
    if (fclose(out) != 0 || rename(tmp, path) != 0) {
        rc = -errno;
        remove(tmp);
        return rc;
    }
    return spec || found ? 0 : -ENOENT;
}

int conn_profile_save(const char *name, const char *spec, char *err, size_t cap)
{
    struct conn_spec c;
    int rc = conn_parse(spec, &c, err, cap);
    if (rc) {
        return rc;
    }
    if (strchr(name, ':') || strpbrk(name, " \t#")) {
        return fail(err, cap, -EINVAL, "bad profile name \"%s\" (no ':', spaces or '#')", name);
    }
    rc = rewrite(name, spec);
    if (rc) {
        snprintf(err, cap, "cannot write the profiles file: %s", strerror(-rc));
    }
    return rc;
}

int conn_profile_delete(const char *name)
{
    return rewrite(name, NULL);
}

cJSON *conn_profiles_json(void)
{
    cJSON *j = cJSON_CreateObject();
    char path[512], line[1024];
    FILE *f = conn_profiles_path(path, sizeof(path)) == 0 ? fopen(path, "r") : NULL;
    while (f && fgets(line, sizeof(line), f)) {
        char *n, *s;
        if (split_line(line, &n, &s)) {
            /* A later line for the same name wins, as in the lookup. */
            cJSON_DeleteItemFromObjectCaseSensitive(j, n);
            cJSON_AddStringToObject(j, n, s);
        }
    }
    if (f) {
        fclose(f);
    }
    return j;
}
