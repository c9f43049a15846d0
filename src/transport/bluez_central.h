/*
 * SMP over BLE through BlueZ (the client's side, a GATT central), over the
 * system D-Bus with sd-bus. Finds the device by name or address among
 * BlueZ's objects (discovering through org.bluez.Adapter1 when it is not
 * known yet), connects (Device1.Connect), waits for its services, finds
 * the SMP characteristic, enables notifications (StartNotify; the values
 * arrive as PropertiesChanged of Value), and writes without response
 * (WriteValue with type "command") in pieces of MTU - 3, the MTU being the
 * characteristic's MTU property. The bus is the system bus, or the one
 * DBUS_SYSTEM_BUS_ADDRESS names.
 *
 * Functions return 0 (or a length) or a negative errno value; -ENOTCONN
 * once the device has dropped the connection.
 */
#ifndef SMPDFU_TRANSPORT_BLUEZ_CENTRAL_H
#define SMPDFU_TRANSPORT_BLUEZ_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

struct bluez_central;

/* target: a device name, or an address "AA:BB:CC:DD:EE:FF". Waits up to
 * timeout_ms for discovery, connection and service resolution. */
int bluez_central_open(struct bluez_central **out, const char *target, int timeout_ms);
void bluez_central_close(struct bluez_central *c);
/* Connect again (after the device reset) and enable notifications. */
int bluez_central_reconnect(struct bluez_central *c, int timeout_ms);

int bluez_central_send(struct bluez_central *c, const uint8_t *pkt, size_t len);
/* Wait up to timeout_ms (-1: no limit) for one SMP packet: its length, 0
 * on timeout, -EMSGSIZE when it does not fit cap. */
int bluez_central_recv(struct bluez_central *c, uint8_t *buf, size_t cap, int timeout_ms);

/* The ATT MTU BlueZ negotiated (the characteristic's MTU property). */
uint16_t bluez_central_mtu(const struct bluez_central *c);
/* The largest SMP packet up to limit that fills whole writes (a multiple
 * of MTU - 3): no write of a request is a short one. */
size_t bluez_central_frame_fit(const struct bluez_central *c, size_t limit);
/* The D-Bus path of the connected device. */
const char *bluez_central_device_path(const struct bluez_central *c);

#endif
