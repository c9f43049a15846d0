/*
 * The text form of a simulated BLE link, as the client's connection string
 * gives it: "PATH[,interval=MS][,phy=1M|2M][,mtu=N][,dle=N][,ppe=N][,enc=0|1]".
 * PATH is the device's UNIX socket; the options set what a central chooses
 * when it connects. interval may have a fraction ("7.5"); dle is the
 * link-layer payload limit (27 without the Data Length Extension, 251 with
 * it); ppe the exchanges the central's controller allows per connection
 * event; enc=1 adds the MIC of an encrypted link.
 */
#ifndef SMPDFU_TRANSPORT_BLESIM_SPEC_H
#define SMPDFU_TRANSPORT_BLESIM_SPEC_H

#include <stddef.h>

#include "transport/blesim.h"

/* The first message a central sends on the simulated link's socket: this
 * prefix, then blesim_params_format's text. Every later message in either
 * direction is one ATT value (a write or a notification). */
#define BLESIM_HELLO_PREFIX "blesim/1 "
/* Largest SMP packet (header included) either end puts back together. */
#define BLESIM_SMP_MAX 8192

/* A PC's Bluetooth dongle with DLE: 30 ms, LE 1M, ATT MTU 247, DLE 251,
 * 4 exchanges per event, not encrypted. */
void blesim_params_default(struct blesim_params *p);

/* Parse the options "k=v,k=v" (no path) into p, which holds the values of
 * keys not given. 0 or -EINVAL (unknown key, bad value, or a combination
 * blesim_params_check refuses). */
int blesim_params_parse(const char *opts, struct blesim_params *p);

/* Parse "PATH[,options]": defaults, then the options. -EINVAL as above or
 * for an empty path, -ENAMETOOLONG when PATH does not fit path_cap. */
int blesim_spec_parse(const char *spec, char *path, size_t path_cap, struct blesim_params *p);

/* "interval=30,phy=1M,mtu=247,dle=251,ppe=4,enc=0": the options that give
 * p back through blesim_params_parse. */
int blesim_params_format(const struct blesim_params *p, char *buf, size_t cap);

#endif
