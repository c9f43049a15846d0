#include "transport/bluez_peripheral.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "transport/bluez_smp.h"
#include "wire/smp_gatt.h"

#define APP_PATH "/org/smpdfu"
#define SERVICE_PATH APP_PATH "/service0"
#define CHAR_PATH SERVICE_PATH "/char0"
#define ADV_PATH APP_PATH "/advertisement0"
#define PKT_MAX 8192

struct bluez_peripheral {
    sd_bus *bus;
    sd_bus_slot *slots[5];
    char adapter[256];
    char local_name[64];
    char device[256]; /* the central that wrote last */
    bool notifying, app_registered, adv_registered;
    uint16_t mtu;
    /* The notification being sent: Value's getter returns it. */
    const uint8_t *value;
    size_t value_len;
    struct smp_gatt_reassembler reasm;
    uint8_t reasm_buf[PKT_MAX];
    bool have_pkt;
    const uint8_t *pkt;
    size_t pkt_len;
    /* Replies to our own asynchronous calls: 1 done, <0 refused. */
    int reg_result;
};

static int get_string(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)userdata, (void)err;
    if (!strcmp(prop, "UUID")) {
        return sd_bus_message_append(reply, "s", strcmp(iface, BLUEZ_GATT_SERVICE) == 0
                                                     ? SMP_GATT_SERVICE_UUID
                                                     : SMP_GATT_CHAR_UUID);
    }
    return -ENOENT;
}

static int get_primary(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
    return sd_bus_message_append(reply, "b", 1);
}

static int get_char_service(sd_bus *bus, const char *path, const char *iface, const char *prop,
                            sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
    return sd_bus_message_append(reply, "o", SERVICE_PATH);
}

static int get_flags(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
    return sd_bus_message_append(reply, "as", 2, "write-without-response", "notify");
}

static int get_notifying(sd_bus *bus, const char *path, const char *iface, const char *prop,
                         sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    struct bluez_peripheral *p = userdata;
    return sd_bus_message_append(reply, "b", p->notifying);
}

static int get_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    struct bluez_peripheral *p = userdata;
    return sd_bus_message_append_array(reply, 'y', p->value ? p->value : (const uint8_t *)"",
                                       p->value_len);
}

/* WriteValue(ay value, a{sv} options): one piece of an SMP packet. */
static int on_write(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_peripheral *p = userdata;
    const void *data;
    size_t size;
    int r = sd_bus_message_read_array(m, 'y', &data, &size);
    if (r < 0) {
        return r;
    }
    r = sd_bus_message_enter_container(m, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key;
        r = sd_bus_message_read(m, "s", &key);
        if (r < 0) {
            break;
        }
        if (!strcmp(key, "mtu")) {
            uint16_t mtu;
            r = sd_bus_message_read(m, "v", "q", &mtu);
            if (r >= 0 && mtu >= SMP_GATT_ATT_MTU_MIN) {
                p->mtu = mtu;
            }
        } else if (!strcmp(key, "device")) {
            const char *dev;
            r = sd_bus_message_read(m, "v", "o", &dev);
            if (r >= 0) {
                snprintf(p->device, sizeof(p->device), "%s", dev);
            }
        } else {
            r = sd_bus_message_skip(m, "v");
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(m);
        }
    }
    if (r < 0) {
        return r;
    }
    if (!p->have_pkt && smp_gatt_reasm_feed(&p->reasm, data, size, &p->pkt, &p->pkt_len) == 1) {
        p->have_pkt = true;
    }
    return sd_bus_reply_method_return(m, "");
}

static int on_read(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata;
    /* SMP's characteristic is written and notified, never read (Zephyr's
     * answers a read with nothing). */
    (void)err;
    sd_bus_message *reply = NULL;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0) {
        r = sd_bus_message_append_array(reply, 'y', "", 0);
    }
    if (r >= 0) {
        r = sd_bus_send(NULL, reply, NULL);
    }
    sd_bus_message_unref(reply);
    return r;
}

static int set_notifying(struct bluez_peripheral *p, sd_bus_message *m, bool on)
{
    if (p->notifying != on) {
        p->notifying = on;
        if (!on) {
            smp_gatt_reasm_reset(&p->reasm);
        }
        sd_bus_emit_properties_changed(p->bus, CHAR_PATH, BLUEZ_GATT_CHAR, "Notifying", NULL);
    }
    return sd_bus_reply_method_return(m, "");
}

static int on_start_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    return set_notifying(userdata, m, true);
}

static int on_stop_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    return set_notifying(userdata, m, false);
}

static int get_adv(sd_bus *bus, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)err;
    struct bluez_peripheral *p = userdata;
    if (!strcmp(prop, "Type")) {
        return sd_bus_message_append(reply, "s", "peripheral");
    }
    if (!strcmp(prop, "ServiceUUIDs")) {
        return sd_bus_message_append(reply, "as", 1, SMP_GATT_SERVICE_UUID);
    }
    if (!strcmp(prop, "LocalName")) {
        return sd_bus_message_append(reply, "s", p->local_name);
    }
    return -ENOENT;
}

static int on_adv_release(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_peripheral *p = userdata;
    p->adv_registered = false;
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable service_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("UUID", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Primary", "b", get_primary, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable char_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("UUID", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Service", "o", get_char_service, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Flags", "as", get_flags, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Notifying", "b", get_notifying, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Value", "ay", get_value, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("ReadValue", "a{sv}", "ay", on_read, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", on_write, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StartNotify", "", "", on_start_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopNotify", "", "", on_stop_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable adv_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Type", "s", get_adv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("ServiceUUIDs", "as", get_adv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("LocalName", "s", get_adv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD("Release", "", "", on_adv_release, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* The first object that offers GATT and advertising managers. */
static int find_adapter(struct bluez_peripheral *p)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(p->bus, BLUEZ_SERVICE, "/", DBUS_OBJECT_MANAGER,
                               "GetManagedObjects", &err, &reply, "");
    sd_bus_error_free(&err);
    if (r < 0) {
        return r;
    }
    p->adapter[0] = '\0';
    r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        const char *path;
        bool gatt = false, adv = false;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0) {
            r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
        }
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
            const char *iface;
            r = sd_bus_message_read(reply, "s", &iface);
            if (r >= 0) {
                gatt |= strcmp(iface, BLUEZ_GATT_MANAGER) == 0;
                adv |= strcmp(iface, BLUEZ_ADV_MANAGER) == 0;
                r = sd_bus_message_skip(reply, "a{sv}");
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
        }
        if (r >= 0 && gatt && adv && p->adapter[0] == '\0') {
            snprintf(p->adapter, sizeof(p->adapter), "%s", path);
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
    }
    sd_bus_message_unref(reply);
    if (r < 0) {
        return r;
    }
    return p->adapter[0] ? 0 : -ENODEV;
}

static int on_registered(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_peripheral *p = userdata;
    const sd_bus_error *e = sd_bus_message_get_error(m);
    p->reg_result = e ? -sd_bus_error_get_errno(e) : 1;
    if (p->reg_result == 0) {
        p->reg_result = -EIO;
    }
    return 0;
}

/* BlueZ reads our objects back (GetManagedObjects, Properties.GetAll)
 * before it answers a registration: call without blocking and serve the
 * bus until the answer comes. */
static int register_with(struct bluez_peripheral *p, const char *iface, const char *method,
                         const char *path, int timeout_ms)
{
    sd_bus_slot *slot = NULL;
    p->reg_result = 0;
    int r = sd_bus_call_method_async(p->bus, &slot, BLUEZ_SERVICE, p->adapter, iface, method,
                                     on_registered, p, "oa{sv}", path, 0);
    if (r < 0) {
        return r;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
    while (p->reg_result == 0) {
        r = sd_bus_process(p->bus, NULL);
        if (r < 0) {
            break;
        }
        if (r > 0) {
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t left = deadline - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
        if (left <= 0) {
            r = -ETIMEDOUT;
            break;
        }
        sd_bus_wait(p->bus, (uint64_t)left * 1000u);
    }
    sd_bus_slot_unref(slot);
    if (r < 0) {
        return r;
    }
    return p->reg_result < 0 ? p->reg_result : 0;
}

int bluez_peripheral_open(struct bluez_peripheral **out, const char *local_name, int timeout_ms)
{
    *out = NULL;
    if (!local_name || strlen(local_name) >= 64) {
        return -EINVAL;
    }
    struct bluez_peripheral *p = calloc(1, sizeof(*p));
    if (!p) {
        return -ENOMEM;
    }
    strcpy(p->local_name, local_name);
    p->mtu = SMP_GATT_ATT_MTU_MIN;
    smp_gatt_reasm_init(&p->reasm, p->reasm_buf, sizeof(p->reasm_buf));
    int r = sd_bus_open_system(&p->bus);
    if (r >= 0) {
        r = find_adapter(p);
    }
    if (r >= 0) {
        r = sd_bus_add_object_manager(p->bus, &p->slots[0], APP_PATH);
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(p->bus, &p->slots[1], SERVICE_PATH, BLUEZ_GATT_SERVICE,
                                     service_vtable, p);
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(p->bus, &p->slots[2], CHAR_PATH, BLUEZ_GATT_CHAR,
                                     char_vtable, p);
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(p->bus, &p->slots[3], ADV_PATH, BLUEZ_ADV, adv_vtable, p);
    }
    if (r >= 0) {
        r = register_with(p, BLUEZ_GATT_MANAGER, "RegisterApplication", APP_PATH, timeout_ms);
        p->app_registered = r >= 0;
    }
    if (r >= 0) {
        r = register_with(p, BLUEZ_ADV_MANAGER, "RegisterAdvertisement", ADV_PATH, timeout_ms);
        p->adv_registered = r >= 0;
    }
    if (r < 0) {
        bluez_peripheral_close(p);
        return r;
    }
    *out = p;
    return 0;
}

void bluez_peripheral_close(struct bluez_peripheral *p)
{
    if (!p) {
        return;
    }
    sd_bus_error err = SD_BUS_ERROR_NULL;
    if (p->adv_registered) {
        sd_bus_call_method(p->bus, BLUEZ_SERVICE, p->adapter, BLUEZ_ADV_MANAGER,
                           "UnregisterAdvertisement", &err, NULL, "o", ADV_PATH);
        sd_bus_error_free(&err);
    }
    if (p->app_registered) {
        sd_bus_call_method(p->bus, BLUEZ_SERVICE, p->adapter, BLUEZ_GATT_MANAGER,
                           "UnregisterApplication", &err, NULL, "o", APP_PATH);
        sd_bus_error_free(&err);
    }
    for (size_t i = 0; i < sizeof(p->slots) / sizeof(p->slots[0]); i++) {
        sd_bus_slot_unref(p->slots[i]);
    }
    sd_bus_flush_close_unref(p->bus);
    free(p);
}

int bluez_peripheral_pollfd(struct bluez_peripheral *p, struct pollfd *pfd, int *timeout_ms)
{
    int fd = sd_bus_get_fd(p->bus);
    int ev = sd_bus_get_events(p->bus);
    if (fd < 0 || ev < 0) {
        return fd < 0 ? fd : ev;
    }
    *pfd = (struct pollfd){ .fd = fd, .events = (short)ev };
    uint64_t usec;
    *timeout_ms = -1;
    if (sd_bus_get_timeout(p->bus, &usec) > 0 && usec != UINT64_MAX) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        *timeout_ms = usec > now ? (int)((usec - now + 999) / 1000) : 0;
    }
    return 0;
}

int bluez_peripheral_read(struct bluez_peripheral *p, const uint8_t **pkt, size_t *len)
{
    /* The packet handed out last is consumed now. */
    p->have_pkt = false;
    for (;;) {
        int r = sd_bus_process(p->bus, NULL);
        if (r < 0) {
            return r;
        }
        if (p->have_pkt) {
            *pkt = p->pkt;
            *len = p->pkt_len;
            return 1;
        }
        if (r == 0) {
            return 0;
        }
    }
}

int bluez_peripheral_notify(struct bluez_peripheral *p, const uint8_t *pkt, size_t len)
{
    if (!p->notifying) {
        return -ENOTCONN;
    }
    struct smp_gatt_splitter sp;
    if (smp_gatt_split_init(&sp, pkt, len, p->mtu) != 0) {
        return -EINVAL;
    }
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        p->value = piece;
        p->value_len = piece_len;
        int r = sd_bus_emit_properties_changed(p->bus, CHAR_PATH, BLUEZ_GATT_CHAR, "Value",
                                               NULL);
        p->value = NULL;
        p->value_len = 0;
        if (r < 0) {
            return r;
        }
    }
    return sd_bus_flush(p->bus);
}

int bluez_peripheral_disconnect(struct bluez_peripheral *p)
{
    p->notifying = false;
    smp_gatt_reasm_reset(&p->reasm);
    if (p->device[0] == '\0') {
        return 0;
    }
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(p->bus, BLUEZ_SERVICE, p->device, BLUEZ_DEVICE, "Disconnect", &err,
                               NULL, "");
    sd_bus_error_free(&err);
    p->device[0] = '\0';
    return r < 0 ? r : 0;
}

uint16_t bluez_peripheral_mtu(const struct bluez_peripheral *p)
{
    return p->mtu;
}
