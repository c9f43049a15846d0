/*
 * SMP over BLE through BlueZ (the device's side, a GATT server that
 * advertises), over the system D-Bus with sd-bus. Exports a GATT
 * application (an ObjectManager over one service with the SMP UUID and its
 * characteristic: write-without-response, notify) and an advertisement
 * (LEAdvertisement1, connectable, with the SMP service UUID and a local
 * name), and registers them with the first adapter's GattManager1 and
 * LEAdvertisingManager1. Writes are put back together into SMP packets by
 * their header; answers go out as PropertiesChanged of Value, which BlueZ
 * turns into notifications, in pieces of the MTU BlueZ reported with the
 * last write (the minimum until then). The bus is the system bus, or the
 * one DBUS_SYSTEM_BUS_ADDRESS names.
 *
 * Functions return 0 (or a count) or a negative errno value.
 */
#ifndef SMPDFU_TRANSPORT_BLUEZ_PERIPHERAL_H
#define SMPDFU_TRANSPORT_BLUEZ_PERIPHERAL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct bluez_peripheral;

/* Register the application and the advertisement under local_name;
 * waits up to timeout_ms for BlueZ to accept them. */
int bluez_peripheral_open(struct bluez_peripheral **out, const char *local_name,
                          int timeout_ms);
/* Unregisters both and leaves the bus. */
void bluez_peripheral_close(struct bluez_peripheral *p);

/* What to poll: the bus descriptor with its events, and the longest wait
 * (-1: none) before bluez_peripheral_read must run anyway. */
int bluez_peripheral_pollfd(struct bluez_peripheral *p, struct pollfd *pfd, int *timeout_ms);
/* Handles what the bus has: 1 with a whole SMP packet in *pkt / *len
 * (valid until the next call), 0 when none is complete yet. sd-bus may
 * already hold messages it read from the socket, which poll does not
 * show: call again until it returns 0 before polling. */
int bluez_peripheral_read(struct bluez_peripheral *p, const uint8_t **pkt, size_t *len);
/* Sends one SMP packet as notifications; -ENOTCONN when the central has
 * not enabled them. */
int bluez_peripheral_notify(struct bluez_peripheral *p, const uint8_t *pkt, size_t len);
/* Drops the connection of the central that wrote last (Device1.Disconnect;
 * the device resets). BlueZ advertises again by itself afterwards. */
int bluez_peripheral_disconnect(struct bluez_peripheral *p);

/* The ATT MTU in use for notifications. */
uint16_t bluez_peripheral_mtu(const struct bluez_peripheral *p);

#endif
