/*
 * A stand-in for bluetoothd on a private D-Bus: owns org.bluez and exports
 * what the BlueZ transports use (the doc/ api texts): an adapter (Adapter1,
 * GattManager1, LEAdvertisingManager1) and, once discovery starts, one
 * remote LE device (Device1) whose GATT database, after Connect, holds the
 * SMP service and characteristic. The remote device answers every SMP
 * packet written to it with the same packet, op + 1 (a response), as
 * notifications, and drops the link after answering an OS reset.
 *
 * For the peripheral side it plays a central: it checks the application
 * and advertisement registered with it, and on request enables
 * notifications on the application's characteristic and writes a packet.
 *
 * Runs in its own thread with its own bus connection; the fields below are
 * read by the test once the thread has set them.
 */
#ifndef SMPDFU_TEST_BLUEZ_DOUBLE_H
#define SMPDFU_TEST_BLUEZ_DOUBLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DOUBLE_DEV_PATH "/org/bluez/hci0/dev_C0_FF_EE_00_00_01"
#define DOUBLE_DEV_ADDR "C0:FF:EE:00:00:01"
#define DOUBLE_DEV_NAME "smpdfu-dut"

struct bluez_double {
    /* Setup. */
    uint16_t remote_mtu;      /* the remote device's characteristic MTU */
    uint16_t central_mtu;     /* what the double reports writing to an application */
    volatile int refuse_connects; /* Device1.Connect calls to fail first */
    /* Remote device, as the central transport left it. */
    volatile int discovering_started, connects, connected, notifying;
    volatile int writes_command, writes_other, writes_too_long;
    volatile int answered;
    /* Application and advertisement registered by a peripheral. */
    volatile int app_ok, adv_ok, app_unregistered, adv_unregistered;
    char adv_name[64];
    char app_owner[128];
    volatile int disconnect_calls;
    /* Central script: request a packet to be written to the application;
     * its answer lands in got. */
    uint8_t script_pkt[4096];
    size_t script_len;
    volatile int script_request, script_done;
    uint8_t got[8192];
    volatile size_t got_len;
    /* Internal. */
    volatile int stop, ready;
    pthread_t thread;
    void *priv;
};

/* Starts a private bus (dbus-daemon) and points DBUS_SYSTEM_BUS_ADDRESS at
 * it: the daemon's pid, or -1. */
pid_t bus_daemon_start(void);
void bus_daemon_stop(pid_t pid);

/* Starts the double's thread; returns once it owns org.bluez. */
int bluez_double_start(struct bluez_double *d);
void bluez_double_stop(struct bluez_double *d);

#endif
