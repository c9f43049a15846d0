/*
 * bluez_bridge: plays bluetoothd on a private D-Bus and joins a GATT
 * server and a GATT client that both talk to it, as two BlueZ hosts would
 * through one radio link.
 *
 * It owns org.bluez and exports one adapter (/org/bluez/hci0: Adapter1,
 * GattManager1, LEAdvertisingManager1), as doc/adapter-api.txt,
 * gatt-api.txt and advertising-api.txt describe them. A peripheral
 * registers its GATT application and its advertisement; the bridge reads
 * them back (ObjectManager.GetManagedObjects, Properties.GetAll) and,
 * once some client runs discovery, shows a remote LE device (Device1,
 * named by the advertisement's LocalName) whose GATT database mirrors the
 * application's SMP service and characteristic.
 *
 * What a central does on the mirror reaches the application the way
 * bluetoothd would pass on what a remote central did: WriteValue with the
 * options device, mtu, link and type; StartNotify / StopNotify. Values
 * the application notifies (PropertiesChanged of Value) come out on the
 * mirror while the central has notifications on. Device1.Disconnect from
 * either side drops the link (Connected false), and Device1.Connect brings
 * it up again. Pieces longer than ATT MTU - 3 are refused (writes) or
 * counted (notifications), so a transport that cuts them wrong fails.
 *
 * Usage: bluez_bridge [--mtu N] [BUS_ADDRESS]; the bus defaults to
 * DBUS_SESSION_BUS_ADDRESS. Prints "bluez bridge on ADDRESS" once it owns
 * org.bluez, logs each event on stderr, and on SIGTERM or SIGINT prints
 * its counts and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-bus.h>

/* The SMP GATT service (Zephyr's mcumgr SMP over BLE). */
#define SMP_SVC_UUID "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define SMP_CHR_UUID "da2e7828-fbce-4e01-ae9e-261174997c48"

#define ADAPTER_PATH "/org/bluez/hci0"
#define ADAPTER_ADDR "00:1B:DC:0F:00:01"
#define DEV_ADDR "E4:5F:01:5A:3C:02"
#define DEV_PATH ADAPTER_PATH "/dev_E4_5F_01_5A_3C_02"
#define SVC_PATH DEV_PATH "/service000a"
#define CHR_PATH SVC_PATH "/char000b"

#define ATT_MTU_MIN 23
#define ATT_MTU_MAX 517
#define FLAGS_MAX 8

struct bridge {
    sd_bus *bus;
    uint16_t mtu;
    bool discovering;

    /* The peripheral's GATT application, once read back and accepted. */
    sd_bus_message *app_call; /* RegisterApplication being answered */
    char app_owner[128], app_path[256], app_char[256];
    char chr_flags[FLAGS_MAX][32];
    unsigned nflags;
    bool app_ok;
    sd_bus_slot *app_match, *owner_match;

    /* Its advertisement. */
    sd_bus_message *adv_call;
    char adv_path[256], local_name[64];
    bool adv_ok;

    /* The remote device as the central sees it. */
    sd_bus_slot *dev_slot, *svc_slot, *chr_slot;
    bool present, connected, notifying;
    const uint8_t *value; /* the notification being re-emitted */
    size_t value_len;

    unsigned long writes, notifications, dropped, too_long, connects, drops_by_peripheral,
        drops_by_central;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bluez_bridge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- calls to the application, answered later ---- */

/* A central's call passed on to the application: its answer goes back. */
struct forward {
    struct bridge *b;
    sd_bus_message *call;
    bool start_notify;
};

static int on_forwarded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
    (void)ret_error;
    struct forward *f = userdata;
    const sd_bus_error *e = sd_bus_message_get_error(reply);
    if (e) {
        say("application refused %s: %s", sd_bus_message_get_member(f->call), e->message);
        if (f->start_notify) {
            f->b->notifying = false;
        }
        sd_bus_reply_method_error(f->call, e);
    } else {
        sd_bus_reply_method_return(f->call, "");
    }
    sd_bus_message_unref(f->call);
    free(f);
    return 0;
}

/* Sends m to the application; call (may be NULL) gets the answer. */
static int forward(struct bridge *b, sd_bus_message *m, sd_bus_message *call, bool start_notify)
{
    if (!call) {
        sd_bus_message_set_expect_reply(m, 0);
        return sd_bus_send(b->bus, m, NULL);
    }
    struct forward *f = calloc(1, sizeof(*f));
    if (!f) {
        return -ENOMEM;
    }
    f->b = b;
    f->call = sd_bus_message_ref(call);
    f->start_notify = start_notify;
    int r = sd_bus_call_async(b->bus, NULL, m, on_forwarded, f, 0);
    if (r < 0) {
        sd_bus_message_unref(f->call);
        free(f);
    }
    return r;
}

static int app_method(struct bridge *b, sd_bus_message **m, const char *member)
{
    return sd_bus_message_new_method_call(b->bus, m, b->app_owner, b->app_char,
                                          "org.bluez.GattCharacteristic1", member);
}

/* StartNotify / StopNotify on the application's characteristic. */
static int app_notify(struct bridge *b, sd_bus_message *call, bool on)
{
    sd_bus_message *m = NULL;
    int r = app_method(b, &m, on ? "StartNotify" : "StopNotify");
    if (r >= 0) {
        r = forward(b, m, call, on);
    }
    sd_bus_message_unref(m);
    return r;
}

/* ---- the remote device and its mirrored GATT database ---- */

static int dev_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)err;
    struct bridge *b = userdata;
    if (!strcmp(prop, "Address")) {
        return sd_bus_message_append(reply, "s", DEV_ADDR);
    }
    if (!strcmp(prop, "AddressType")) {
        return sd_bus_message_append(reply, "s", "random");
    }
    if (!strcmp(prop, "Name") || !strcmp(prop, "Alias")) {
        return sd_bus_message_append(reply, "s", b->local_name);
    }
    if (!strcmp(prop, "Adapter")) {
        return sd_bus_message_append(reply, "o", ADAPTER_PATH);
    }
    if (!strcmp(prop, "UUIDs")) {
        return sd_bus_message_append(reply, "as", 1, SMP_SVC_UUID);
    }
    if (!strcmp(prop, "Paired")) {
        return sd_bus_message_append(reply, "b", 0);
    }
    if (!strcmp(prop, "Connected") || !strcmp(prop, "ServicesResolved")) {
        return sd_bus_message_append(reply, "b", b->connected);
    }
    return -ENOENT;
}

static void set_notifying(struct bridge *b, bool on)
{
    if (b->notifying != on) {
        b->notifying = on;
        sd_bus_emit_properties_changed(b->bus, CHR_PATH, "org.bluez.GattCharacteristic1",
                                       "Notifying", NULL);
    }
}

static void set_connected(struct bridge *b, bool on)
{
    b->connected = on;
    if (!on && b->notifying) {
        set_notifying(b, false);
        /* The subscription ends with the link, as for a remote central. */
        app_notify(b, NULL, false);
    }
    sd_bus_emit_properties_changed(b->bus, DEV_PATH, "org.bluez.Device1", "Connected",
                                   "ServicesResolved", NULL);
}

static int dev_connect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    if (b->connected) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.AlreadyConnected",
                                          "Already Connected");
    }
    if (!b->app_ok) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "Page Timeout");
    }
    b->connects++;
    say("connected (%lu)", b->connects);
    set_connected(b, true);
    return sd_bus_reply_method_return(m, "");
}

static int dev_disconnect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    if (b->connected) {
        bool by_peripheral = !strcmp(sd_bus_message_get_sender(m), b->app_owner);
        if (by_peripheral) {
            b->drops_by_peripheral++;
        } else {
            b->drops_by_central++;
        }
        say("disconnected by the %s", by_peripheral ? "peripheral" : "central");
        set_connected(b, false);
    }
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable dev_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("AddressType", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Alias", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Adapter", "o", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("UUIDs", "as", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Paired", "b", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Connected", "b", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ServicesResolved", "b", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("Connect", "", "", dev_connect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Disconnect", "", "", dev_disconnect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static int gatt_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)err;
    struct bridge *b = userdata;
    bool svc = !strcmp(iface, "org.bluez.GattService1");
    if (!strcmp(prop, "UUID")) {
        return sd_bus_message_append(reply, "s", svc ? SMP_SVC_UUID : SMP_CHR_UUID);
    }
    if (!strcmp(prop, "Device")) {
        return sd_bus_message_append(reply, "o", DEV_PATH);
    }
    if (!strcmp(prop, "Primary")) {
        return sd_bus_message_append(reply, "b", 1);
    }
    if (!strcmp(prop, "Service")) {
        return sd_bus_message_append(reply, "o", SVC_PATH);
    }
    if (!strcmp(prop, "Flags")) {
        int r = sd_bus_message_open_container(reply, 'a', "s");
        for (unsigned i = 0; r >= 0 && i < b->nflags; i++) {
            r = sd_bus_message_append(reply, "s", b->chr_flags[i]);
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
    }
    if (!strcmp(prop, "MTU")) {
        return sd_bus_message_append(reply, "q", b->mtu);
    }
    if (!strcmp(prop, "Notifying")) {
        return sd_bus_message_append(reply, "b", b->notifying);
    }
    if (!strcmp(prop, "Value")) {
        return sd_bus_message_append_array(reply, 'y', b->value ? b->value : (const void *)"",
                                           b->value_len);
    }
    return -ENOENT;
}

/* The central's write, passed to the application as a remote central's. */
static int chr_write(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    if (!b->connected) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.NotConnected", "Not Connected");
    }
    const void *data;
    size_t size;
    int r = sd_bus_message_read_array(m, 'y', &data, &size);
    if (r < 0) {
        return r;
    }
    const char *type = "request";
    r = sd_bus_message_enter_container(m, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key;
        r = sd_bus_message_read(m, "s", &key);
        if (r >= 0 && !strcmp(key, "type")) {
            r = sd_bus_message_read(m, "v", "s", &type);
        } else if (r >= 0) {
            r = sd_bus_message_skip(m, "v");
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(m);
        }
    }
    if (r < 0) {
        return r;
    }
    if (size + 3 > b->mtu) {
        b->too_long++;
        say("write of %zu bytes refused: ATT MTU %u", size, (unsigned)b->mtu);
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.InvalidValueLength",
                                          "Invalid Length");
    }
    b->writes++;
    sd_bus_message *fw = NULL;
    r = app_method(b, &fw, "WriteValue");
    if (r >= 0) {
        r = sd_bus_message_append_array(fw, 'y', data, size);
    }
    if (r >= 0) {
        r = sd_bus_message_append(fw, "a{sv}", 4, "device", "o", DEV_PATH, "mtu", "q", b->mtu,
                                  "link", "s", "LE", "type", "s", type);
    }
    /* The central hears back once the application has taken the piece:
     * a write command has no answer over the air, but this way the bridge
     * never holds more than the central has in flight. */
    if (r >= 0) {
        r = forward(b, fw, m, false);
    }
    sd_bus_message_unref(fw);
    return r < 0 ? r : 1;
}

static int chr_read(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata, (void)err;
    /* Not passed on: nothing here reads the SMP characteristic. */
    return sd_bus_reply_method_errorf(m, "org.bluez.Error.NotPermitted", "Read not permitted");
}

static int chr_start_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    if (!b->connected) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.NotConnected", "Not Connected");
    }
    if (b->notifying) {
        return sd_bus_reply_method_return(m, "");
    }
    /* On before the application hears of it: what it sends in answer is
     * not lost. */
    set_notifying(b, true);
    int r = app_notify(b, m, true);
    return r < 0 ? r : 1;
}

static int chr_stop_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    if (!b->notifying) {
        return sd_bus_reply_method_return(m, "");
    }
    set_notifying(b, false);
    int r = app_notify(b, m, false);
    return r < 0 ? r : 1;
}

static const sd_bus_vtable svc_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("UUID", "s", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Device", "o", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Primary", "b", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable chr_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("UUID", "s", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Service", "o", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Flags", "as", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MTU", "q", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Notifying", "b", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Value", "ay", gatt_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("ReadValue", "a{sv}", "ay", chr_read, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", chr_write, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StartNotify", "", "", chr_start_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopNotify", "", "", chr_stop_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* The device shows up when a scan could have seen its advertisement. */
static void show_device(struct bridge *b)
{
    if (b->present || !b->discovering || !b->app_ok || !b->adv_ok) {
        return;
    }
    if (sd_bus_add_object_vtable(b->bus, &b->dev_slot, DEV_PATH, "org.bluez.Device1", dev_vtable,
                                 b) < 0 ||
        sd_bus_add_object_vtable(b->bus, &b->svc_slot, SVC_PATH, "org.bluez.GattService1",
                                 svc_vtable, b) < 0 ||
        sd_bus_add_object_vtable(b->bus, &b->chr_slot, CHR_PATH, "org.bluez.GattCharacteristic1",
                                 chr_vtable, b) < 0) {
        say("cannot export the remote device");
        return;
    }
    b->present = true;
    sd_bus_emit_object_added(b->bus, DEV_PATH);
    sd_bus_emit_object_added(b->bus, SVC_PATH);
    sd_bus_emit_object_added(b->bus, CHR_PATH);
    say("device %s \"%s\" found", DEV_ADDR, b->local_name);
}

static void hide_device(struct bridge *b)
{
    if (!b->present) {
        return;
    }
    b->connected = b->notifying = false;
    sd_bus_emit_object_removed(b->bus, CHR_PATH);
    sd_bus_emit_object_removed(b->bus, SVC_PATH);
    sd_bus_emit_object_removed(b->bus, DEV_PATH);
    b->chr_slot = sd_bus_slot_unref(b->chr_slot);
    b->svc_slot = sd_bus_slot_unref(b->svc_slot);
    b->dev_slot = sd_bus_slot_unref(b->dev_slot);
    b->present = false;
    say("device %s gone", DEV_ADDR);
}

/* ---- what the application sends ---- */

/* PropertiesChanged of the application's characteristic: Value is a
 * notification. */
static int on_app_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *iface;
    if (sd_bus_message_read(m, "s", &iface) < 0 ||
        strcmp(iface, "org.bluez.GattCharacteristic1") != 0 ||
        sd_bus_message_enter_container(m, 'a', "{sv}") < 0) {
        return 0;
    }
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *key;
        if (sd_bus_message_read(m, "s", &key) < 0) {
            return 0;
        }
        if (!strcmp(key, "Value")) {
            const void *data;
            size_t size;
            if (sd_bus_message_enter_container(m, 'v', "ay") < 0 ||
                sd_bus_message_read_array(m, 'y', &data, &size) < 0) {
                return 0;
            }
            sd_bus_message_exit_container(m);
            if (!b->connected || !b->notifying) {
                b->dropped++;
                say("notification of %zu bytes with nobody subscribed", size);
            } else if (size + 3 > b->mtu) {
                b->too_long++;
                say("notification of %zu bytes dropped: ATT MTU %u", size, (unsigned)b->mtu);
            } else {
                b->notifications++;
                b->value = data;
                b->value_len = size;
                sd_bus_emit_properties_changed(b->bus, CHR_PATH, "org.bluez.GattCharacteristic1",
                                               "Value", NULL);
                b->value = NULL;
                b->value_len = 0;
            }
        } else if (sd_bus_message_skip(m, "v") < 0) {
            return 0;
        }
        sd_bus_message_exit_container(m);
    }
    return 0;
}

static void forget_app(struct bridge *b)
{
    hide_device(b);
    b->app_match = sd_bus_slot_unref(b->app_match);
    b->owner_match = sd_bus_slot_unref(b->owner_match);
    b->app_ok = b->adv_ok = false;
    b->app_owner[0] = '\0';
}

/* The peripheral left the bus without unregistering. */
static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *name, *old_owner, *new_owner;
    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 &&
        !strcmp(name, b->app_owner) && new_owner[0] == '\0') {
        say("application owner %s left the bus", name);
        forget_app(b);
    }
    return 0;
}

/* One interface of the application's objects: what the mirror needs. */
struct app_scan {
    char svc[256], chr[256], chr_svc[256];
    char flags[FLAGS_MAX][32];
    unsigned nflags;
};

static int scan_app_interface(sd_bus_message *reply, const char *path, const char *iface,
                              struct app_scan *s)
{
    bool is_svc = !strcmp(iface, "org.bluez.GattService1");
    bool is_chr = !strcmp(iface, "org.bluez.GattCharacteristic1");
    char uuid[64] = "", service[256] = "", flags[FLAGS_MAX][32];
    unsigned nflags = 0;
    int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        const char *key, *v;
        r = sd_bus_message_read(reply, "s", &key);
        if (r < 0) {
            break;
        }
        if (!strcmp(key, "UUID") && (is_svc || is_chr)) {
            r = sd_bus_message_read(reply, "v", "s", &v);
            if (r >= 0) {
                snprintf(uuid, sizeof(uuid), "%s", v);
            }
        } else if (!strcmp(key, "Service") && is_chr) {
            r = sd_bus_message_read(reply, "v", "o", &v);
            if (r >= 0) {
                snprintf(service, sizeof(service), "%s", v);
            }
        } else if (!strcmp(key, "Flags") && is_chr) {
            r = sd_bus_message_enter_container(reply, 'v', "as");
            if (r >= 0) {
                r = sd_bus_message_enter_container(reply, 'a', "s");
            }
            while (r >= 0 && (r = sd_bus_message_read(reply, "s", &v)) > 0) {
                if (nflags < FLAGS_MAX) {
                    snprintf(flags[nflags++], sizeof(flags[0]), "%s", v);
                }
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
        } else {
            r = sd_bus_message_skip(reply, "v");
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
    }
    if (r < 0) {
        return r;
    }
    if (is_svc && !strcasecmp(uuid, SMP_SVC_UUID)) {
        snprintf(s->svc, sizeof(s->svc), "%s", path);
    } else if (is_chr && !strcasecmp(uuid, SMP_CHR_UUID)) {
        snprintf(s->chr, sizeof(s->chr), "%s", path);
        snprintf(s->chr_svc, sizeof(s->chr_svc), "%s", service);
        memcpy(s->flags, flags, sizeof(flags));
        s->nflags = nflags;
    }
    return sd_bus_message_exit_container(reply);
}

static int scan_app(sd_bus_message *reply, struct app_scan *s)
{
    int r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0) {
            r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
        }
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
            const char *iface;
            r = sd_bus_message_read(reply, "s", &iface);
            if (r >= 0) {
                r = scan_app_interface(reply, path, iface, s);
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
    }
    return r;
}

static bool has_flag(const struct app_scan *s, const char *flag)
{
    for (unsigned i = 0; i < s->nflags; i++) {
        if (!strcmp(s->flags[i], flag)) {
            return true;
        }
    }
    return false;
}

/* GetManagedObjects of the application answered: accept it or not. */
static int on_app_objects(sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    sd_bus_message *call = b->app_call;
    b->app_call = NULL;
    const sd_bus_error *e = sd_bus_message_get_error(reply);
    struct app_scan s;
    memset(&s, 0, sizeof(s));
    const char *why = NULL;
    if (e) {
        why = "its objects cannot be read";
        say("GetManagedObjects of the application: %s", e->message);
    } else if (scan_app(reply, &s) < 0) {
        why = "its objects are malformed";
    } else if (s.svc[0] == '\0') {
        why = "no SMP service";
    } else if (s.chr[0] == '\0' || strcmp(s.chr_svc, s.svc) != 0) {
        why = "no SMP characteristic in the SMP service";
    } else if (!has_flag(&s, "write-without-response") || !has_flag(&s, "notify")) {
        why = "the SMP characteristic is not write-without-response and notify";
    }
    int r;
    if (why) {
        say("application refused: %s", why);
        r = sd_bus_reply_method_errorf(call, "org.bluez.Error.Failed", "%s", why);
    } else {
        snprintf(b->app_char, sizeof(b->app_char), "%s", s.chr);
        memcpy(b->chr_flags, s.flags, sizeof(s.flags));
        b->nflags = s.nflags;
        r = sd_bus_match_signal(b->bus, &b->app_match, b->app_owner, b->app_char,
                                "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                on_app_changed, b);
        if (r >= 0) {
            r = sd_bus_match_signal(b->bus, &b->owner_match, "org.freedesktop.DBus",
                                    "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "NameOwnerChanged", on_owner_changed, b);
        }
        if (r < 0) {
            r = sd_bus_reply_method_errorf(call, "org.bluez.Error.Failed", "%s", strerror(-r));
        } else {
            b->app_ok = true;
            say("application %s of %s registered, characteristic %s", b->app_path,
                b->app_owner, b->app_char);
            r = sd_bus_reply_method_return(call, "");
            show_device(b);
        }
    }
    sd_bus_message_unref(call);
    return r < 0 ? r : 0;
}

/* ---- the adapter ---- */

static int adapter_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)err;
    struct bridge *b = userdata;
    if (!strcmp(prop, "Address")) {
        return sd_bus_message_append(reply, "s", ADAPTER_ADDR);
    }
    if (!strcmp(prop, "Name") || !strcmp(prop, "Alias")) {
        return sd_bus_message_append(reply, "s", "bluez-bridge");
    }
    if (!strcmp(prop, "Powered")) {
        return sd_bus_message_append(reply, "b", 1);
    }
    if (!strcmp(prop, "Discovering")) {
        return sd_bus_message_append(reply, "b", b->discovering);
    }
    return -ENOENT;
}

static void set_discovering(struct bridge *b, bool on)
{
    if (b->discovering != on) {
        b->discovering = on;
        sd_bus_emit_properties_changed(b->bus, ADAPTER_PATH, "org.bluez.Adapter1", "Discovering",
                                       NULL);
    }
}

static int start_discovery(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    set_discovering(b, true);
    show_device(b);
    return sd_bus_reply_method_return(m, "");
}

static int stop_discovery(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    set_discovering(userdata, false);
    return sd_bus_reply_method_return(m, "");
}

static int set_discovery_filter(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata, (void)err;
    /* Every device here is an LE one: any filter matches it. */
    return sd_bus_reply_method_return(m, "");
}

static int register_app(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *app;
    int r = sd_bus_message_read(m, "o", &app);
    if (r < 0) {
        return r;
    }
    if (b->app_ok || b->app_call) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.AlreadyExists", "Already Exists");
    }
    snprintf(b->app_owner, sizeof(b->app_owner), "%s", sd_bus_message_get_sender(m));
    snprintf(b->app_path, sizeof(b->app_path), "%s", app);
    /* Read it back without blocking: the peripheral serves its objects
     * while it waits for this answer. */
    r = sd_bus_call_method_async(b->bus, NULL, b->app_owner, b->app_path,
                                 "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                 on_app_objects, b, "");
    if (r < 0) {
        return r;
    }
    b->app_call = sd_bus_message_ref(m);
    return 1;
}

static int unregister_app(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *app;
    int r = sd_bus_message_read(m, "o", &app);
    if (r < 0) {
        return r;
    }
    if (!b->app_ok || strcmp(app, b->app_path) != 0 ||
        strcmp(sd_bus_message_get_sender(m), b->app_owner) != 0) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.DoesNotExist", "Does Not Exist");
    }
    say("application %s unregistered", app);
    forget_app(b);
    return sd_bus_reply_method_return(m, "");
}

static int on_adv_props(sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    sd_bus_message *call = b->adv_call;
    b->adv_call = NULL;
    bool type_ok = false, uuid_ok = false;
    char name[64] = "";
    int r = sd_bus_message_get_error(reply) ? -EIO : 0;
    if (r >= 0) {
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
    }
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        const char *key, *s;
        r = sd_bus_message_read(reply, "s", &key);
        if (r < 0) {
            break;
        }
        if (!strcmp(key, "Type")) {
            r = sd_bus_message_read(reply, "v", "s", &s);
            type_ok = r >= 0 && !strcmp(s, "peripheral");
        } else if (!strcmp(key, "LocalName")) {
            r = sd_bus_message_read(reply, "v", "s", &s);
            if (r >= 0) {
                snprintf(name, sizeof(name), "%s", s);
            }
        } else if (!strcmp(key, "ServiceUUIDs")) {
            r = sd_bus_message_enter_container(reply, 'v', "as");
            if (r >= 0) {
                r = sd_bus_message_enter_container(reply, 'a', "s");
            }
            while (r >= 0 && (r = sd_bus_message_read(reply, "s", &s)) > 0) {
                uuid_ok |= !strcasecmp(s, SMP_SVC_UUID);
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
            if (r >= 0) {
                r = sd_bus_message_exit_container(reply);
            }
        } else {
            r = sd_bus_message_skip(reply, "v");
        }
        if (r >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
    }
    if (r < 0 || !type_ok || !uuid_ok || name[0] == '\0') {
        say("advertisement refused: %s", r < 0 ? "unreadable"
                                         : !type_ok ? "not connectable (Type peripheral)"
                                         : !uuid_ok ? "no SMP service UUID"
                                                    : "no LocalName");
        r = sd_bus_reply_method_errorf(call, "org.bluez.Error.InvalidArguments",
                                       "Invalid arguments in method call");
    } else {
        snprintf(b->local_name, sizeof(b->local_name), "%s", name);
        b->adv_ok = true;
        say("advertisement %s registered: \"%s\"", b->adv_path, name);
        r = sd_bus_reply_method_return(call, "");
        show_device(b);
    }
    sd_bus_message_unref(call);
    return r < 0 ? r : 0;
}

static int register_adv(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *adv;
    int r = sd_bus_message_read(m, "o", &adv);
    if (r < 0) {
        return r;
    }
    /* The device the central will see is the application's. */
    if (!b->app_ok || strcmp(sd_bus_message_get_sender(m), b->app_owner) != 0) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed",
                                          "register the GATT application first");
    }
    if (b->adv_ok || b->adv_call) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.AlreadyExists", "Already Exists");
    }
    snprintf(b->adv_path, sizeof(b->adv_path), "%s", adv);
    r = sd_bus_call_method_async(b->bus, NULL, b->app_owner, b->adv_path,
                                 "org.freedesktop.DBus.Properties", "GetAll", on_adv_props, b,
                                 "s", "org.bluez.LEAdvertisement1");
    if (r < 0) {
        return r;
    }
    b->adv_call = sd_bus_message_ref(m);
    return 1;
}

static int unregister_adv(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bridge *b = userdata;
    const char *adv;
    int r = sd_bus_message_read(m, "o", &adv);
    if (r < 0) {
        return r;
    }
    if (!b->adv_ok || strcmp(adv, b->adv_path) != 0) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.DoesNotExist", "Does Not Exist");
    }
    /* A device already found stays known, as in bluetoothd. */
    b->adv_ok = false;
    say("advertisement %s unregistered", adv);
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable adapter_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Alias", "s", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Powered", "b", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Discovering", "b", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("StartDiscovery", "", "", start_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopDiscovery", "", "", stop_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetDiscoveryFilter", "a{sv}", "", set_discovery_filter,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable gatt_manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("RegisterApplication", "oa{sv}", "", register_app, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("UnregisterApplication", "o", "", unregister_app, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable adv_manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("RegisterAdvertisement", "oa{sv}", "", register_adv,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("UnregisterAdvertisement", "o", "", unregister_adv,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static int usage(void)
{
    fprintf(stderr, "usage: bluez_bridge [--mtu N] [BUS_ADDRESS]\n"
                    "Plays bluetoothd on the D-Bus at BUS_ADDRESS (default "
                    "DBUS_SESSION_BUS_ADDRESS), joining a\n"
                    "registered GATT application to the centrals that connect to it; N is the "
                    "ATT MTU\n(%d..%d, default 247).\n",
            ATT_MTU_MIN, ATT_MTU_MAX);
    return 2;
}

static int open_bus(sd_bus **bus, const char *address)
{
    int r = sd_bus_new(bus);
    if (r >= 0) {
        r = sd_bus_set_address(*bus, address);
    }
    if (r >= 0) {
        r = sd_bus_set_bus_client(*bus, 1);
    }
    if (r >= 0) {
        r = sd_bus_start(*bus);
    }
    return r;
}

int main(int argc, char **argv)
{
    static struct bridge b;
    b.mtu = 247;
    const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mtu") && i + 1 < argc) {
            char *end;
            long mtu = strtol(argv[++i], &end, 10);
            if (*end != '\0' || mtu < ATT_MTU_MIN || mtu > ATT_MTU_MAX) {
                return usage();
            }
            b.mtu = (uint16_t)mtu;
        } else if (argv[i][0] == '-') {
            return usage();
        } else {
            address = argv[i];
        }
    }
    if (!address || address[0] == '\0') {
        return usage();
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait below returns */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    sd_bus_slot *slots[4] = { NULL };
    int r = open_bus(&b.bus, address);
    if (r >= 0) {
        r = sd_bus_add_object_manager(b.bus, &slots[0], "/");
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(b.bus, &slots[1], ADAPTER_PATH, "org.bluez.Adapter1",
                                     adapter_vtable, &b);
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(b.bus, &slots[2], ADAPTER_PATH, "org.bluez.GattManager1",
                                     gatt_manager_vtable, &b);
    }
    if (r >= 0) {
        r = sd_bus_add_object_vtable(b.bus, &slots[3], ADAPTER_PATH,
                                     "org.bluez.LEAdvertisingManager1", adv_manager_vtable, &b);
    }
    if (r >= 0) {
        r = sd_bus_request_name(b.bus, "org.bluez", 0);
    }
    if (r < 0) {
        fprintf(stderr, "bluez_bridge: %s: %s\n", address, strerror(-r));
        sd_bus_flush_close_unref(b.bus);
        return 1;
    }
    printf("bluez bridge on %s\n", address);
    fflush(stdout);

    while (!stop) {
        r = sd_bus_process(b.bus, NULL);
        if (r < 0) {
            say("bus: %s", strerror(-r));
            break;
        }
        if (r > 0) {
            continue;
        }
        /* Bounded: a signal between the check above and the wait is not
         * lost for long. */
        r = sd_bus_wait(b.bus, 200 * 1000);
        if (r < 0 && r != -EINTR) {
            say("bus: %s", strerror(-r));
            break;
        }
    }
    say("writes %lu, notifications %lu, unsubscribed %lu, too long %lu, connects %lu, "
        "drops by peripheral %lu, drops by central %lu",
        b.writes, b.notifications, b.dropped, b.too_long, b.connects, b.drops_by_peripheral,
        b.drops_by_central);
    forget_app(&b);
    for (int i = 3; i >= 0; i--) {
        sd_bus_slot_unref(slots[i]);
    }
    sd_bus_flush_close_unref(b.bus);
    return r < 0 && r != -EINTR ? 1 : 0;
}
