/*
 * The device's main loop: SMP packets from a UDP socket (one per datagram),
 * a serial port (SMP console framing) and BLE (GATT writes, reassembled)
 * go to device_process(); the responses go back the way the request came. An accepted SMP reset reboots
 * the device (device_boot) once its response is sent.
 */
#ifndef SMPDFU_DEVICE_DEVICE_SERVE_H
#define SMPDFU_DEVICE_DEVICE_SERVE_H

#include <signal.h>

#include "device/device.h"
#include "transport/blesim_peripheral.h"
#include "transport/bluez_peripheral.h"
#include "transport/serial.h"
#include "transport/udp.h"

/* The transports the device listens on; any of them may be NULL. */
struct device_links {
    struct udp_sock *udp;
    struct serial_port *serial;
    /* The timed BLE link model (smpdfu-device --blesim). */
    struct blesim_peripheral *blesim;
    /* A GATT server through BlueZ (smpdfu-device --ble). */
    struct bluez_peripheral *bluez;
};

/*
 * Serve until *stop becomes non-zero (a signal handler sets it). Returns 0
 * on stop, or a negative errno value when a transport fails for good. A
 * reset drops the BLE connections (as a rebooting device does) after its
 * answer is out; the next central connects once the device has booted.
 */
int device_serve(struct device *dev, const struct device_links *links,
                 volatile sig_atomic_t *stop);

#endif
