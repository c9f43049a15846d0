/*
 * Naming a device: "udp:HOST[:PORT]", "serial:DEVICE[,baud=N]",
 * "ble:NAME|ADDRESS" (BlueZ), "blesim:SOCKET[,options]" (the simulated
 * device's BLE link), Go mcumgr's --conntype/--connstring pair, or the
 * name of a saved profile.
 */
#ifndef SMPDFU_CLIENT_CONN_H
#define SMPDFU_CLIENT_CONN_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "client/link.h"

enum conn_type { CONN_UDP, CONN_SERIAL, CONN_BLE, CONN_BLESIM };

struct conn_spec {
    enum conn_type type;
    char host[256];   /* udp */
    uint16_t port;
    char device[256]; /* serial: path; ble: name or address; blesim: the spec */
    unsigned baud;
};

/* "udp:...", "serial:...", "ble:...", "blesim:..."; err gets a sentence on
 * failure (-EINVAL). */
int conn_parse(const char *spec, struct conn_spec *c, char *err, size_t cap);
/* Go mcumgr style: type udp|serial|ble; connstring "HOST:PORT" or
 * "[V6]:PORT" for udp, "dev=PATH,baud=N[,mtu=N]" or "PATH" for serial,
 * "peer_name=N" / "peer_id=ADDR" for ble. */
int conn_parse_go(const char *type, const char *connstring, struct conn_spec *c, char *err,
                  size_t cap);
/* Opens the link; err gets a sentence on failure. */
int conn_open(const struct conn_spec *c, struct client_link *l, char *err, size_t cap);

/*
 * Profiles: a text file of "NAME SPEC" lines ('#' starts a comment), at
 * $SMPDFU_CONNECTIONS, else $XDG_CONFIG_HOME/smpdfu/connections, else
 * ~/.config/smpdfu/connections.
 */
int conn_profiles_path(char *buf, size_t cap);
/* The SPEC saved under name: 0, -ENOENT, or a file error. */
int conn_profile_find(const char *name, char *spec, size_t cap);
/* Adds or replaces name (spec must parse). */
int conn_profile_save(const char *name, const char *spec, char *err, size_t cap);
int conn_profile_delete(const char *name);
/* Every profile as {"NAME": "SPEC", ...} (empty when there is no file). */
cJSON *conn_profiles_json(void);

#endif
