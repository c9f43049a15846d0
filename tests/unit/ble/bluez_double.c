#include "bluez_double.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "transport/bluez_smp.h"
#include "wire/smp_gatt.h"

#define ADAPTER_PATH "/org/bluez/hci0"
#define SVC_PATH DOUBLE_DEV_PATH "/service0010"
#define CHR_PATH SVC_PATH "/char0011"

struct priv {
    sd_bus *bus;
    sd_bus_slot *dev_slot, *svc_slot, *chr_slot, *app_match;
    struct smp_gatt_reassembler reasm; /* writes to the remote device */
    uint8_t reasm_buf[8192];
    struct smp_gatt_reassembler got_reasm; /* notifications from the application */
    uint8_t got_buf[8192];
    const uint8_t *value;
    size_t value_len;
    char app_path[128], app_char[256];
};

pid_t bus_daemon_start(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        /* The daemon must not outlive the test, nor hold its output open
         * (a test runner waits for that to close). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
        char arg[32];
        snprintf(arg, sizeof(arg), "--print-address=%d", fds[1]);
        execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", arg, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char addr[512];
    size_t n = 0;
    while (n < sizeof(addr) - 1) {
        ssize_t r = read(fds[0], addr + n, 1);
        if (r <= 0 || addr[n] == '\n') {
            break;
        }
        n++;
    }
    addr[n] = '\0';
    close(fds[0]);
    if (n == 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
    return pid;
}

void bus_daemon_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* ---- the remote device ---- */

static int dev_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)err;
    struct bluez_double *d = userdata;
    if (!strcmp(prop, "Address")) {
        return sd_bus_message_append(reply, "s", DOUBLE_DEV_ADDR);
    }
    if (!strcmp(prop, "Name")) {
        return sd_bus_message_append(reply, "s", DOUBLE_DEV_NAME);
    }
    if (!strcmp(prop, "Adapter")) {
        return sd_bus_message_append(reply, "o", ADAPTER_PATH);
    }
    if (!strcmp(prop, "Connected") || !strcmp(prop, "ServicesResolved")) {
        return sd_bus_message_append(reply, "b", d->connected);
    }
    return -ENOENT;
}

static void set_connected(struct bluez_double *d, bool on)
{
    struct priv *p = d->priv;
    d->connected = on;
    if (!on) {
        d->notifying = 0;
    }
    sd_bus_emit_properties_changed(p->bus, DOUBLE_DEV_PATH, BLUEZ_DEVICE, "Connected",
                                   "ServicesResolved", NULL);
}

static int dev_connect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    if (d->connected) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.AlreadyConnected",
                                          "Already Connected");
    }
    if (d->refuse_connects > 0) {
        d->refuse_connects--;
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "le-connection-abort-by-local");
    }
    d->connects++;
    smp_gatt_reasm_reset(&p->reasm);
    set_connected(d, true);
    return sd_bus_reply_method_return(m, "");
}

static int dev_disconnect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    d->disconnect_calls++;
    if (d->connected) {
        set_connected(d, false);
    }
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable dev_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Adapter", "o", dev_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
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
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    bool svc = !strcmp(iface, BLUEZ_GATT_SERVICE);
    if (!strcmp(prop, "UUID")) {
        return sd_bus_message_append(reply, "s", svc ? SMP_GATT_SERVICE_UUID : SMP_GATT_CHAR_UUID);
    }
    if (!strcmp(prop, "Device")) {
        return sd_bus_message_append(reply, "o", DOUBLE_DEV_PATH);
    }
    if (!strcmp(prop, "Primary")) {
        return sd_bus_message_append(reply, "b", 1);
    }
    if (!strcmp(prop, "Service")) {
        return sd_bus_message_append(reply, "o", SVC_PATH);
    }
    if (!strcmp(prop, "Flags")) {
        return sd_bus_message_append(reply, "as", 2, "write-without-response", "notify");
    }
    if (!strcmp(prop, "MTU")) {
        return sd_bus_message_append(reply, "q", d->remote_mtu);
    }
    if (!strcmp(prop, "Notifying")) {
        return sd_bus_message_append(reply, "b", d->notifying);
    }
    if (!strcmp(prop, "Value")) {
        return sd_bus_message_append_array(reply, 'y', p->value ? p->value : (const void *)"",
                                           p->value_len);
    }
    return -ENOENT;
}

/* The remote SMP server: the packet back as a response, in notifications. */
static void answer(struct bluez_double *d, const uint8_t *pkt, size_t len)
{
    struct priv *p = d->priv;
    uint8_t rsp[8192];
    memcpy(rsp, pkt, len);
    rsp[0] = (uint8_t)((rsp[0] & ~7u) | ((rsp[0] & 7u) + 1u));
    struct smp_gatt_splitter sp;
    smp_gatt_split_init(&sp, rsp, len, d->remote_mtu);
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        p->value = piece;
        p->value_len = piece_len;
        sd_bus_emit_properties_changed(p->bus, CHR_PATH, BLUEZ_GATT_CHAR, "Value", NULL);
    }
    p->value = NULL;
    p->value_len = 0;
    d->answered++;
    /* OS group 0, command 5: the device resets and the link drops. */
    if (len >= 8 && rsp[4] == 0 && rsp[5] == 0 && rsp[7] == 5) {
        set_connected(d, false);
    }
}

static int chr_write(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    const void *data;
    size_t size;
    if (!d->connected) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.NotConnected", "Not Connected");
    }
    int r = sd_bus_message_read_array(m, 'y', &data, &size);
    if (r < 0) {
        return r;
    }
    bool command = false;
    r = sd_bus_message_enter_container(m, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key, *val;
        sd_bus_message_read(m, "s", &key);
        if (!strcmp(key, "type")) {
            sd_bus_message_read(m, "v", "s", &val);
            command = !strcmp(val, "command");
        } else {
            sd_bus_message_skip(m, "v");
        }
        sd_bus_message_exit_container(m);
    }
    if (command) {
        d->writes_command++;
    } else {
        d->writes_other++;
    }
    if (size + 3 > d->remote_mtu) {
        d->writes_too_long++;
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.InvalidValueLength", "too long");
    }
    const uint8_t *pkt;
    size_t len;
    int done = smp_gatt_reasm_feed(&p->reasm, data, size, &pkt, &len);
    r = sd_bus_reply_method_return(m, "");
    if (done == 1 && d->notifying) {
        answer(d, pkt, len);
    }
    return r;
}

static int chr_notify(sd_bus_message *m, void *userdata, bool on)
{
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    d->notifying = on;
    sd_bus_emit_properties_changed(p->bus, CHR_PATH, BLUEZ_GATT_CHAR, "Notifying", NULL);
    return sd_bus_reply_method_return(m, "");
}

static int chr_start(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    return chr_notify(m, userdata, true);
}

static int chr_stop(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    return chr_notify(m, userdata, false);
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
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", chr_write, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StartNotify", "", "", chr_start, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopNotify", "", "", chr_stop, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* ---- the adapter ---- */

static int adapter_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)err;
    struct bluez_double *d = userdata;
    if (!strcmp(prop, "Address")) {
        return sd_bus_message_append(reply, "s", "00:11:22:33:44:55");
    }
    if (!strcmp(prop, "Powered")) {
        return sd_bus_message_append(reply, "b", 1);
    }
    if (!strcmp(prop, "Discovering")) {
        return sd_bus_message_append(reply, "b", d->discovering_started);
    }
    return -ENOENT;
}

/* The remote device and its GATT database appear when discovery starts,
 * as bluetoothd adds a device object when it first sees an advertisement,
 * or when that device connects to us as a central. */
static void add_remote_device(struct bluez_double *d)
{
    struct priv *p = d->priv;
    if (p->dev_slot) {
        return;
    }
    sd_bus_add_object_vtable(p->bus, &p->dev_slot, DOUBLE_DEV_PATH, BLUEZ_DEVICE, dev_vtable, d);
    sd_bus_add_object_vtable(p->bus, &p->svc_slot, SVC_PATH, BLUEZ_GATT_SERVICE, svc_vtable, d);
    sd_bus_add_object_vtable(p->bus, &p->chr_slot, CHR_PATH, BLUEZ_GATT_CHAR, chr_vtable, d);
    sd_bus_emit_object_added(p->bus, DOUBLE_DEV_PATH);
    sd_bus_emit_object_added(p->bus, SVC_PATH);
    sd_bus_emit_object_added(p->bus, CHR_PATH);
}

static int start_discovery(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    d->discovering_started = 1;
    add_remote_device(d);
    return sd_bus_reply_method_return(m, "");
}

static int plain_ok(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata, (void)err;
    return sd_bus_reply_method_return(m, "");
}

/* Notifications from the registered application. */
static int on_app_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    const char *iface;
    if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, BLUEZ_GATT_CHAR)) {
        return 0;
    }
    sd_bus_message_enter_container(m, 'a', "{sv}");
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *key;
        sd_bus_message_read(m, "s", &key);
        if (!strcmp(key, "Value")) {
            const void *data;
            size_t size;
            sd_bus_message_enter_container(m, 'v', "ay");
            sd_bus_message_read_array(m, 'y', &data, &size);
            sd_bus_message_exit_container(m);
            if (size + 3 > d->central_mtu) {
                d->writes_too_long++;
            }
            const uint8_t *pkt;
            size_t len;
            if (smp_gatt_reasm_feed(&p->got_reasm, data, size, &pkt, &len) == 1) {
                memcpy(d->got, pkt, len);
                d->got_len = len;
            }
        } else {
            sd_bus_message_skip(m, "v");
        }
        sd_bus_message_exit_container(m);
    }
    return 0;
}

/* Reads the application back as bluetoothd does, and checks it offers the
 * SMP service with a characteristic that can be written and notified. */
static int register_app(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    const char *app;
    if (sd_bus_message_read(m, "o", &app) < 0) {
        return -EINVAL;
    }
    const char *owner = sd_bus_message_get_sender(m);
    snprintf(d->app_owner, sizeof(d->app_owner), "%s", owner);
    snprintf(p->app_path, sizeof(p->app_path), "%s", app);
    sd_bus_message *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(p->bus, owner, app, DBUS_OBJECT_MANAGER, "GetManagedObjects", &e,
                               &reply, "");
    sd_bus_error_free(&e);
    if (r < 0) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "no object manager");
    }
    bool svc_ok = false, chr_ok = false;
    sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
        const char *path;
        sd_bus_message_read(reply, "o", &path);
        sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
        while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
            const char *iface;
            sd_bus_message_read(reply, "s", &iface);
            bool is_svc = !strcmp(iface, BLUEZ_GATT_SERVICE), is_chr = !strcmp(iface, BLUEZ_GATT_CHAR);
            bool uuid_ok = false, wwr = false, notify = false;
            sd_bus_message_enter_container(reply, 'a', "{sv}");
            while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
                const char *key;
                sd_bus_message_read(reply, "s", &key);
                if (!strcmp(key, "UUID")) {
                    const char *u;
                    sd_bus_message_read(reply, "v", "s", &u);
                    uuid_ok = !strcmp(u, is_svc ? SMP_GATT_SERVICE_UUID : SMP_GATT_CHAR_UUID);
                } else if (!strcmp(key, "Flags")) {
                    sd_bus_message_enter_container(reply, 'v', "as");
                    sd_bus_message_enter_container(reply, 'a', "s");
                    const char *f;
                    while (sd_bus_message_read(reply, "s", &f) > 0) {
                        wwr |= !strcmp(f, "write-without-response");
                        notify |= !strcmp(f, "notify");
                    }
                    sd_bus_message_exit_container(reply);
                    sd_bus_message_exit_container(reply);
                } else {
                    sd_bus_message_skip(reply, "v");
                }
                sd_bus_message_exit_container(reply);
            }
            sd_bus_message_exit_container(reply);
            if (is_svc && uuid_ok) {
                svc_ok = true;
            }
            if (is_chr && uuid_ok && wwr && notify) {
                chr_ok = true;
                snprintf(p->app_char, sizeof(p->app_char), "%s", path);
            }
            sd_bus_message_exit_container(reply);
        }
        sd_bus_message_exit_container(reply);
        sd_bus_message_exit_container(reply);
    }
    sd_bus_message_unref(reply);
    if (!svc_ok || !chr_ok) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "no SMP service");
    }
    sd_bus_match_signal(p->bus, &p->app_match, owner, p->app_char, DBUS_PROPERTIES,
                        "PropertiesChanged", on_app_changed, d);
    d->app_ok = 1;
    return sd_bus_reply_method_return(m, "");
}

static int register_adv(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    struct priv *p = d->priv;
    const char *adv;
    if (sd_bus_message_read(m, "o", &adv) < 0) {
        return -EINVAL;
    }
    sd_bus_message *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(p->bus, sd_bus_message_get_sender(m), adv, DBUS_PROPERTIES,
                               "GetAll", &e, &reply, "s", BLUEZ_ADV);
    sd_bus_error_free(&e);
    if (r < 0) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "no advertisement");
    }
    bool type_ok = false, uuid_ok = false;
    sd_bus_message_enter_container(reply, 'a', "{sv}");
    while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
        const char *key, *s;
        sd_bus_message_read(reply, "s", &key);
        if (!strcmp(key, "Type")) {
            sd_bus_message_read(reply, "v", "s", &s);
            type_ok = !strcmp(s, "peripheral");
        } else if (!strcmp(key, "LocalName")) {
            sd_bus_message_read(reply, "v", "s", &s);
            snprintf(d->adv_name, sizeof(d->adv_name), "%s", s);
        } else if (!strcmp(key, "ServiceUUIDs")) {
            sd_bus_message_enter_container(reply, 'v', "as");
            sd_bus_message_enter_container(reply, 'a', "s");
            while (sd_bus_message_read(reply, "s", &s) > 0) {
                uuid_ok |= !strcmp(s, SMP_GATT_SERVICE_UUID);
            }
            sd_bus_message_exit_container(reply);
            sd_bus_message_exit_container(reply);
        } else {
            sd_bus_message_skip(reply, "v");
        }
        sd_bus_message_exit_container(reply);
    }
    sd_bus_message_unref(reply);
    if (!type_ok || !uuid_ok) {
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.InvalidArguments", "bad advertisement");
    }
    d->adv_ok = 1;
    return sd_bus_reply_method_return(m, "");
}

static int unregister_app(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    d->app_unregistered = 1;
    return sd_bus_reply_method_return(m, "");
}

static int unregister_adv(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    struct bluez_double *d = userdata;
    d->adv_unregistered = 1;
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable adapter_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Powered", "b", adapter_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Discovering", "b", adapter_prop, 0, 0),
    SD_BUS_METHOD("StartDiscovery", "", "", start_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopDiscovery", "", "", plain_ok, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetDiscoveryFilter", "a{sv}", "", plain_ok, SD_BUS_VTABLE_UNPRIVILEGED),
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
    SD_BUS_METHOD("RegisterAdvertisement", "oa{sv}", "", register_adv, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("UnregisterAdvertisement", "o", "", unregister_adv, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* The scripted central: enable notifications, write the packet. */
static void run_script(struct bluez_double *d)
{
    struct priv *p = d->priv;
    add_remote_device(d);
    d->connected = 1;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_call_method(p->bus, d->app_owner, p->app_char, BLUEZ_GATT_CHAR, "StartNotify", &e,
                       NULL, "");
    sd_bus_error_free(&e);
    struct smp_gatt_splitter sp;
    smp_gatt_split_init(&sp, d->script_pkt, d->script_len, d->central_mtu);
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        sd_bus_message *m = NULL;
        sd_bus_message_new_method_call(p->bus, &m, d->app_owner, p->app_char, BLUEZ_GATT_CHAR,
                                       "WriteValue");
        sd_bus_message_append_array(m, 'y', piece, piece_len);
        sd_bus_message_append(m, "a{sv}", 3, "type", "s", "command", "mtu", "q",
                              d->central_mtu, "device", "o", DOUBLE_DEV_PATH);
        sd_bus_call(p->bus, m, 0, &e, NULL);
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
    }
}

static void *double_main(void *arg)
{
    struct bluez_double *d = arg;
    struct priv *p = d->priv;
    sd_bus_slot *slots[4] = { NULL };
    if (sd_bus_open_system(&p->bus) < 0 ||
        sd_bus_add_object_manager(p->bus, &slots[0], "/") < 0 ||
        sd_bus_add_object_vtable(p->bus, &slots[1], ADAPTER_PATH, BLUEZ_ADAPTER, adapter_vtable,
                                 d) < 0 ||
        sd_bus_add_object_vtable(p->bus, &slots[2], ADAPTER_PATH, BLUEZ_GATT_MANAGER,
                                 gatt_manager_vtable, d) < 0 ||
        sd_bus_add_object_vtable(p->bus, &slots[3], ADAPTER_PATH, BLUEZ_ADV_MANAGER,
                                 adv_manager_vtable, d) < 0 ||
        sd_bus_request_name(p->bus, BLUEZ_SERVICE, 0) < 0) {
        d->ready = -1;
        return NULL;
    }
    d->ready = 1;
    while (!d->stop) {
        int r;
        while ((r = sd_bus_process(p->bus, NULL)) > 0) {
        }
        if (d->script_request && !d->script_done) {
            run_script(d);
            d->script_done = 1;
            continue;
        }
        sd_bus_wait(p->bus, 20000);
    }
    sd_bus_slot_unref(p->app_match);
    sd_bus_slot_unref(p->chr_slot);
    sd_bus_slot_unref(p->svc_slot);
    sd_bus_slot_unref(p->dev_slot);
    for (int i = 3; i >= 0; i--) {
        sd_bus_slot_unref(slots[i]);
    }
    sd_bus_flush_close_unref(p->bus);
    return NULL;
}

int bluez_double_start(struct bluez_double *d)
{
    struct priv *p = calloc(1, sizeof(*p));
    if (!p) {
        return -ENOMEM;
    }
    smp_gatt_reasm_init(&p->reasm, p->reasm_buf, sizeof(p->reasm_buf));
    smp_gatt_reasm_init(&p->got_reasm, p->got_buf, sizeof(p->got_buf));
    d->priv = p;
    if (d->remote_mtu == 0) {
        d->remote_mtu = 100;
    }
    if (d->central_mtu == 0) {
        d->central_mtu = 64;
    }
    if (pthread_create(&d->thread, NULL, double_main, d) != 0) {
        free(p);
        return -EAGAIN;
    }
    while (d->ready == 0) {
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return d->ready == 1 ? 0 : -EIO;
}

void bluez_double_stop(struct bluez_double *d)
{
    d->stop = 1;
    pthread_join(d->thread, NULL);
    free(d->priv);
    d->priv = NULL;
}
