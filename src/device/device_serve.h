/*
 * The device's main loop: SMP packets from a UDP socket (one per datagram)
 * and from a serial port (SMP console framing) go to device_process(); the
 * responses go back the way the request came. An accepted SMP reset reboots
 * the device (device_boot) once its response is sent.
 */
#ifndef SMPDFU_DEVICE_DEVICE_SERVE_H
#define SMPDFU_DEVICE_DEVICE_SERVE_H

#include <signal.h>

#include "device/device.h"
#include "transport/serial.h"
#include "transport/udp.h"

/*
 * Serve until *stop becomes non-zero (a signal handler sets it). udp and
 * serial may each be NULL. Returns 0 on stop, or a negative errno value
 * when a transport fails for good.
 */
int device_serve(struct device *dev, struct udp_sock *udp, struct serial_port *serial,
                 volatile sig_atomic_t *stop);

#endif
