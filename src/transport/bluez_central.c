#include "transport/bluez_central.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "transport/bluez_smp.h"
#include "wire/smp_gatt.h"

#define PATH_MAX_LEN 256
#define RX_PACKETS 8
#define PKT_MAX 8192
/* Services and characteristics with the SMP UUID a scan keeps track of. */
#define SCAN_MAX 16

struct rx_pkt {
    size_t len;
    uint8_t data[PKT_MAX];
};

struct bluez_central {
    sd_bus *bus;
    sd_bus_slot *char_slot, *dev_slot;
    char target[64];
    char adapter[PATH_MAX_LEN];
    char device[PATH_MAX_LEN];
    char chr[PATH_MAX_LEN];
    uint16_t mtu;
    bool connected;
    struct smp_gatt_reassembler reasm;
    uint8_t reasm_buf[PKT_MAX];
    struct rx_pkt rx[RX_PACKETS];
    unsigned rx_head, rx_tail;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* What one GetManagedObjects answer says about the target. */
struct scan {
    const char *target;
    char adapter[PATH_MAX_LEN];
    char device[PATH_MAX_LEN];
    bool resolved;
    unsigned nsvc, nchr;
    char svc[SCAN_MAX][PATH_MAX_LEN];
    char svc_dev[SCAN_MAX][PATH_MAX_LEN];
    char chr[SCAN_MAX][PATH_MAX_LEN];
    char chr_svc[SCAN_MAX][PATH_MAX_LEN];
    uint16_t chr_mtu[SCAN_MAX];
};

/* The properties of one interface, as far as the scan cares. */
struct props {
    char name[64], address[32], uuid[64], parent[PATH_MAX_LEN];
    bool services_resolved;
    uint16_t mtu;
};

static int read_props(sd_bus_message *m, struct props *p)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0) {
        return r;
    }
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key;
        r = sd_bus_message_read(m, "s", &key);
        if (r < 0) {
            return r;
        }
        const char *s;
        char *dst = NULL;
        size_t cap = 0;
        if (!strcmp(key, "Name") || (!strcmp(key, "Alias") && p->name[0] == '\0')) {
            /* Alias stands in for a name BlueZ has not seen (yet). */
            dst = p->name, cap = sizeof(p->name);
        } else if (!strcmp(key, "Address")) {
            dst = p->address, cap = sizeof(p->address);
        } else if (!strcmp(key, "UUID")) {
            dst = p->uuid, cap = sizeof(p->uuid);
        }
        if (dst) {
            r = sd_bus_message_read(m, "v", "s", &s);
            if (r >= 0) {
                snprintf(dst, cap, "%s", s);
            }
        } else if (!strcmp(key, "Device") || !strcmp(key, "Service")) {
            r = sd_bus_message_read(m, "v", "o", &s);
            if (r >= 0) {
                snprintf(p->parent, sizeof(p->parent), "%s", s);
            }
        } else if (!strcmp(key, "ServicesResolved")) {
            int b;
            r = sd_bus_message_read(m, "v", "b", &b);
            p->services_resolved = b != 0;
        } else if (!strcmp(key, "MTU")) {
            r = sd_bus_message_read(m, "v", "q", &p->mtu);
        } else {
            r = sd_bus_message_skip(m, "v");
        }
        if (r < 0) {
            return r;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0) {
            return r;
        }
    }
    if (r < 0) {
        return r;
    }
    return sd_bus_message_exit_container(m);
}

static void scan_interface(struct scan *s, const char *path, const char *iface,
                           const struct props *p)
{
    if (!strcmp(iface, BLUEZ_ADAPTER) && s->adapter[0] == '\0') {
        snprintf(s->adapter, sizeof(s->adapter), "%s", path);
    } else if (!strcmp(iface, BLUEZ_DEVICE)) {
        if (!strcasecmp(p->address, s->target) || !strcmp(p->name, s->target)) {
            snprintf(s->device, sizeof(s->device), "%s", path);
            s->resolved = p->services_resolved;
        }
    } else if (!strcmp(iface, BLUEZ_GATT_SERVICE) && !strcasecmp(p->uuid, SMP_GATT_SERVICE_UUID) &&
               s->nsvc < SCAN_MAX) {
        snprintf(s->svc[s->nsvc], PATH_MAX_LEN, "%s", path);
        snprintf(s->svc_dev[s->nsvc], PATH_MAX_LEN, "%s", p->parent);
        s->nsvc++;
    } else if (!strcmp(iface, BLUEZ_GATT_CHAR) && !strcasecmp(p->uuid, SMP_GATT_CHAR_UUID) &&
               s->nchr < SCAN_MAX) {
        snprintf(s->chr[s->nchr], PATH_MAX_LEN, "%s", path);
        snprintf(s->chr_svc[s->nchr], PATH_MAX_LEN, "%s", p->parent);
        s->chr_mtu[s->nchr] = p->mtu;
        s->nchr++;
    }
}

/* BlueZ's whole object tree through ObjectManager.GetManagedObjects. */
static int scan_objects(sd_bus *bus, struct scan *s)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(bus, BLUEZ_SERVICE, "/", DBUS_OBJECT_MANAGER, "GetManagedObjects",
                               &err, &reply, "");
    sd_bus_error_free(&err);
    if (r < 0) {
        return r;
    }
    r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0) {
            r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
        }
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
            const char *iface;
            struct props p;
            memset(&p, 0, sizeof(p));
            r = sd_bus_message_read(reply, "s", &iface);
            if (r >= 0) {
                r = read_props(reply, &p);
            }
            if (r >= 0) {
                scan_interface(s, path, iface, &p);
                r = sd_bus_message_exit_container(reply);
            }
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply); /* a{sa{sv}} */
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply); /* dict entry */
        }
    }
    sd_bus_message_unref(reply);
    return r < 0 ? r : 0;
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000L };
    nanosleep(&ts, NULL);
}

static int call_simple(sd_bus *bus, const char *path, const char *iface, const char *method)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(bus, BLUEZ_SERVICE, path, iface, method, &err, NULL, "");
    if (r < 0 && sd_bus_error_has_name(&err, "org.bluez.Error.AlreadyConnected")) {
        r = 0;
    }
    sd_bus_error_free(&err);
    return r < 0 ? r : 0;
}

/* Finds the device, discovering when BlueZ does not know it yet. */
static int find_device(struct bluez_central *c, uint64_t deadline)
{
    struct scan *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    bool discovering = false;
    int r;
    for (;;) {
        memset(s, 0, sizeof(*s));
        s->target = c->target;
        r = scan_objects(c->bus, s);
        if (r < 0) {
            break;
        }
        if (s->adapter[0] == '\0') {
            r = -ENODEV; /* no Bluetooth controller */
            break;
        }
        snprintf(c->adapter, sizeof(c->adapter), "%s", s->adapter);
        if (s->device[0]) {
            snprintf(c->device, sizeof(c->device), "%s", s->device);
            r = 0;
            break;
        }
        if (!discovering) {
            sd_bus_error err = SD_BUS_ERROR_NULL;
            /* Only LE devices advertise the SMP service. */
            sd_bus_call_method(c->bus, BLUEZ_SERVICE, c->adapter, BLUEZ_ADAPTER,
                               "SetDiscoveryFilter", &err, NULL, "a{sv}", 1, "Transport", "s",
                               "le");
            sd_bus_error_free(&err);
            r = call_simple(c->bus, c->adapter, BLUEZ_ADAPTER, "StartDiscovery");
            if (r < 0) {
                break;
            }
            discovering = true;
        }
        if (now_ms() >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        pause_ms(50);
    }
    if (discovering) {
        call_simple(c->bus, c->adapter, BLUEZ_ADAPTER, "StopDiscovery");
    }
    free(s);
    return r;
}

/* After Connect: waits for ServicesResolved, then picks the SMP
 * characteristic of this device. */
static int find_characteristic(struct bluez_central *c, uint64_t deadline)
{
    struct scan *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    int r;
    for (;;) {
        memset(s, 0, sizeof(*s));
        s->target = c->target;
        r = scan_objects(c->bus, s);
        if (r < 0) {
            break;
        }
        if (s->resolved) {
            r = -ENOENT; /* services known, SMP not among them */
            for (unsigned i = 0; i < s->nchr && r; i++) {
                for (unsigned j = 0; j < s->nsvc; j++) {
                    if (!strcmp(s->chr_svc[i], s->svc[j]) && !strcmp(s->svc_dev[j], c->device)) {
                        snprintf(c->chr, sizeof(c->chr), "%s", s->chr[i]);
                        /* Older BlueZ has no MTU property: the minimum is safe. */
                        c->mtu = s->chr_mtu[i] >= SMP_GATT_ATT_MTU_MIN ? s->chr_mtu[i]
                                                                       : SMP_GATT_ATT_MTU_MIN;
                        r = 0;
                        break;
                    }
                }
            }
            break;
        }
        if (now_ms() >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        pause_ms(20);
    }
    free(s);
    return r;
}

static void queue_packet(struct bluez_central *c, const uint8_t *pkt, size_t len)
{
    if (c->rx_tail - c->rx_head >= RX_PACKETS) {
        /* Nobody reads: the oldest answer is the one to lose. */
        c->rx_head++;
    }
    struct rx_pkt *p = &c->rx[c->rx_tail % RX_PACKETS];
    memcpy(p->data, pkt, len);
    p->len = len;
    c->rx_tail++;
}

/*
 * Walks a PropertiesChanged signal of interface iface: on_prop gets each
 * changed property's name with the message at its variant, which it must
 * read or skip; a negative return stops the walk. Signals of other
 * interfaces and malformed ones are ignored.
 */
static int for_each_changed(sd_bus_message *m, const char *iface,
                            int (*on_prop)(sd_bus_message *m, const char *key, void *arg),
                            void *arg)
{
    const char *name;
    if (sd_bus_message_read(m, "s", &name) < 0 || strcmp(name, iface) != 0) {
        return 0;
    }
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) {
        return 0;
    }
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *key;
        if (sd_bus_message_read(m, "s", &key) < 0 || on_prop(m, key, arg) < 0) {
            return 0;
        }
        sd_bus_message_exit_container(m);
    }
    return 0;
}

/* The characteristic's Value: a notification, one piece of an SMP packet. */
static int char_prop(sd_bus_message *m, const char *key, void *arg)
{
    struct bluez_central *c = arg;
    if (strcmp(key, "Value") != 0) {
        return sd_bus_message_skip(m, "v");
    }
    const void *data;
    size_t size;
    if (sd_bus_message_enter_container(m, 'v', "ay") < 0 ||
        sd_bus_message_read_array(m, 'y', &data, &size) < 0) {
        return -1;
    }
    const uint8_t *pkt;
    size_t len;
    if (smp_gatt_reasm_feed(&c->reasm, data, size, &pkt, &len) == 1) {
        queue_packet(c, pkt, len);
    }
    return sd_bus_message_exit_container(m);
}

static int on_char_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    (void)ret_error;
    return for_each_changed(m, BLUEZ_GATT_CHAR, char_prop, userdata);
}

/* The device's Connected going false: the link is gone. */
static int device_prop(sd_bus_message *m, const char *key, void *arg)
{
    struct bluez_central *c = arg;
    if (strcmp(key, "Connected") != 0) {
        return sd_bus_message_skip(m, "v");
    }
    int b;
    if (sd_bus_message_read(m, "v", "b", &b) < 0) {
        return -1;
    }
    if (!b) {
        c->connected = false;
    }
    return 0;
}

static int on_device_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    (void)ret_error;
    return for_each_changed(m, BLUEZ_DEVICE, device_prop, userdata);
}

static int connect_device(struct bluez_central *c, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    c->char_slot = sd_bus_slot_unref(c->char_slot);
    c->dev_slot = sd_bus_slot_unref(c->dev_slot);
    c->connected = false;
    smp_gatt_reasm_reset(&c->reasm);
    c->rx_head = c->rx_tail = 0;

    int r = find_device(c, deadline);
    if (r < 0) {
        return r;
    }
    r = sd_bus_match_signal(c->bus, &c->dev_slot, BLUEZ_SERVICE, c->device, DBUS_PROPERTIES,
                            "PropertiesChanged", on_device_changed, c);
    if (r < 0) {
        return r;
    }
    /* A device that has just reset advertises again only once booted:
     * the first attempts may fail (le-connection-abort, page timeout). */
    while ((r = call_simple(c->bus, c->device, BLUEZ_DEVICE, "Connect")) < 0) {
        if (now_ms() >= deadline) {
            return r;
        }
        pause_ms(100);
    }
    c->connected = true;
    r = find_characteristic(c, deadline);
    if (r < 0) {
        return r;
    }
    /* Subscribe before StartNotify so the first notification is not missed. */
    r = sd_bus_match_signal(c->bus, &c->char_slot, BLUEZ_SERVICE, c->chr, DBUS_PROPERTIES,
                            "PropertiesChanged", on_char_changed, c);
    if (r < 0) {
        return r;
    }
    return call_simple(c->bus, c->chr, BLUEZ_GATT_CHAR, "StartNotify");
}

int bluez_central_open(struct bluez_central **out, const char *target, int timeout_ms)
{
    *out = NULL;
    if (!target || target[0] == '\0') {
        return -EINVAL;
    }
    struct bluez_central *c = calloc(1, sizeof(*c));
    if (!c) {
        return -ENOMEM;
    }
    if (strlen(target) >= sizeof(c->target)) {
        free(c);
        return -EINVAL;
    }
    strcpy(c->target, target);
    smp_gatt_reasm_init(&c->reasm, c->reasm_buf, sizeof(c->reasm_buf));
    int r = sd_bus_open_system(&c->bus);
    if (r >= 0) {
        r = connect_device(c, timeout_ms);
    }
    if (r < 0) {
        bluez_central_close(c);
        return r;
    }
    *out = c;
    return 0;
}

void bluez_central_close(struct bluez_central *c)
{
    if (!c) {
        return;
    }
    if (c->bus && c->chr[0] && c->connected) {
        call_simple(c->bus, c->chr, BLUEZ_GATT_CHAR, "StopNotify");
    }
    sd_bus_slot_unref(c->char_slot);
    sd_bus_slot_unref(c->dev_slot);
    sd_bus_flush_close_unref(c->bus);
    free(c);
}

int bluez_central_reconnect(struct bluez_central *c, int timeout_ms)
{
    return connect_device(c, timeout_ms);
}

uint16_t bluez_central_mtu(const struct bluez_central *c)
{
    return c->mtu;
}

size_t bluez_central_frame_fit(const struct bluez_central *c, size_t limit)
{
    size_t piece = smp_gatt_piece_max(c->mtu);
    if (piece == 0 || limit < piece) {
        return limit;
    }
    return limit - limit % piece;
}

const char *bluez_central_device_path(const struct bluez_central *c)
{
    return c->device;
}

int bluez_central_send(struct bluez_central *c, const uint8_t *pkt, size_t len)
{
    if (!c->connected) {
        return -ENOTCONN;
    }
    struct smp_gatt_splitter sp;
    if (smp_gatt_split_init(&sp, pkt, len, c->mtu) != 0) {
        return -EINVAL;
    }
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(c->bus, &m, BLUEZ_SERVICE, c->chr, BLUEZ_GATT_CHAR,
                                               "WriteValue");
        if (r >= 0) {
            r = sd_bus_message_append_array(m, 'y', piece, piece_len);
        }
        if (r >= 0) {
            /* "command": ATT Write Command, the write without response. */
            r = sd_bus_message_append(m, "a{sv}", 1, "type", "s", "command");
        }
        sd_bus_error err = SD_BUS_ERROR_NULL;
        if (r >= 0) {
            r = sd_bus_call(c->bus, m, 0, &err, NULL);
        }
        bool gone = r < 0 && sd_bus_error_has_name(&err, "org.bluez.Error.NotConnected");
        sd_bus_error_free(&err);
        sd_bus_message_unref(m);
        if (r < 0) {
            if (gone) {
                c->connected = false;
                return -ENOTCONN;
            }
            return r;
        }
    }
    return 0;
}

int bluez_central_recv(struct bluez_central *c, uint8_t *buf, size_t cap, int timeout_ms)
{
    uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int r;
        while ((r = sd_bus_process(c->bus, NULL)) > 0) {
        }
        if (r < 0) {
            return r;
        }
        if (c->rx_head != c->rx_tail) {
            struct rx_pkt *p = &c->rx[c->rx_head % RX_PACKETS];
            c->rx_head++;
            if (p->len > cap) {
                return -EMSGSIZE;
            }
            memcpy(buf, p->data, p->len);
            return (int)p->len;
        }
        if (!c->connected) {
            return -ENOTCONN;
        }
        uint64_t now = now_ms();
        if (now >= deadline) {
            return 0;
        }
        uint64_t wait_us = deadline == UINT64_MAX ? UINT64_MAX : (deadline - now) * 1000u;
        r = sd_bus_wait(c->bus, wait_us);
        if (r < 0 && r != -EINTR) {
            return r;
        }
    }
}
