/*
 * smpdfu-device: a simulated device (flash file, boot path, SMP server).
 * Argument parsing and wiring only; the device lives in src/device.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/device.h"
#include "device/device_first_stage.h"
#include "device/device_serve.h"
#include "device/pm_static.h"
#include "transport/serial.h"
#include "transport/udp.h"

#define MAX_INSTALLS 8

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smpdfu-device --flash FILE [--layout NAME | --pm-static FILE]\n"
            "                     [--udp HOST:PORT] [--serial pty|DEVICE] [--baud N]\n"
            "                     [--blesim SOCKET] [--ble NAME]\n"
            "                     [--install AREA=IMAGE ...] [--trust-key KEY ...]\n"
            "                     [--boot-mode move|scratch|overwrite] [--downgrade-prevention]\n"
            "                     [--rollback-protection]\n"
            "                     [--b0-key KEY.pem] [--log FILE]\n"
            "Simulated device: creates or opens FILE as its flash (layout default nrf52840),\n"
            "programs the images given with --install, boots through the MCUboot-compatible\n"
            "loader (swap, revert, erase invalid candidates), and serves SMP until SIGTERM.\n"
            "--boot-mode picks the upgrade strategy (default move; --mode takes MCUboot's\n"
            "names swap-move, swap-scratch, swap-offset, overwrite-only); --downgrade-prevention\n"
            "erases candidates older than the running image; --rollback-protection keeps a\n"
            "security counter per image (FILE.seccnt) that images' SEC_CNT must not go below.\n"
            "--b0-key provisions the first stage (NSIB/B0 of layout nrf52840) with the hash\n"
            "of that ECDSA P-256 key when the provision area is blank (a new flash file); a\n"
            "provisioned device boots b0 -> MCUboot from S0 or S1 -> application.\n"
            "--install s0=FILE / s1=FILE takes the first-stage-signed image (written after\n"
            "the 0x200 pad) or its MCUboot-wrapped update (written at the slot start).\n"
            "--blesim serves SMP over the timed BLE link model on a UNIX socket (the client\n"
            "connects with -c blesim:SOCKET,...); --ble registers an SMP GATT service and an\n"
            "advertisement named NAME with BlueZ (needs a controller). A reset drops the BLE\n"
            "connection; the central reconnects after boot.\n"
            "Without --udp, --serial, --blesim and --ble it listens on udp 127.0.0.1:%d.\n"
            "Port 0 picks a free port; the addresses are printed as 'listening udp HOST:PORT',\n"
            "'listening serial PATH', 'listening blesim SOCKET' and 'listening ble NAME'.\n"
            "Layouts:",
            UDP_DEFAULT_PORT);
    for (const char *const *n = layout_builtin_names(); *n; n++) {
        fprintf(f, " %s", *n);
    }
    fprintf(f, "\n");
}

static int parse_mode(const char *s, enum trailer_mode *out)
{
    static const struct {
        const char *name;
        enum trailer_mode mode;
    } modes[] = {
        { "swap-move", TRAILER_MODE_SWAP_MOVE },
        { "swap-scratch", TRAILER_MODE_SWAP_SCRATCH },
        { "swap-offset", TRAILER_MODE_SWAP_OFFSET },
        { "overwrite-only", TRAILER_MODE_OVERWRITE_ONLY },
        { "move", TRAILER_MODE_SWAP_MOVE },
        { "scratch", TRAILER_MODE_SWAP_SCRATCH },
        { "offset", TRAILER_MODE_SWAP_OFFSET },
        { "overwrite", TRAILER_MODE_OVERWRITE_ONLY },
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(s, modes[i].name) == 0) {
            *out = modes[i].mode;
            return 0;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    static struct device_config cfg;
    static struct device dev;
    const char *layout_name = NULL, *pm_static = NULL, *udp_spec = NULL, *serial_spec = NULL;
    const char *blesim_path = NULL, *ble_name = NULL;
    const char *log_path = NULL;
    const char *installs[MAX_INSTALLS];
    size_t n_installs = 0;
    unsigned baud = SERIAL_DEFAULT_BAUD;
    cfg.mode = TRAILER_MODE_SWAP_MOVE;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--downgrade-prevention") == 0) {
            cfg.downgrade_prevention = true;
            continue;
        }
        if (strcmp(a, "--rollback-protection") == 0) {
            cfg.rollback_protection = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "smpdfu-device: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--flash") == 0) {
            cfg.flash_path = v;
        } else if (strcmp(a, "--layout") == 0) {
            layout_name = v;
        } else if (strcmp(a, "--pm-static") == 0) {
            pm_static = v;
        } else if (strcmp(a, "--udp") == 0) {
            udp_spec = v;
        } else if (strcmp(a, "--serial") == 0) {
            serial_spec = v;
        } else if (strcmp(a, "--blesim") == 0) {
            blesim_path = v;
        } else if (strcmp(a, "--ble") == 0) {
            ble_name = v;
        } else if (strcmp(a, "--baud") == 0) {
            baud = (unsigned)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--log") == 0) {
            log_path = v;
        } else if (strcmp(a, "--mode") == 0 || strcmp(a, "--boot-mode") == 0) {
            if (parse_mode(v, &cfg.mode)) {
                fprintf(stderr, "smpdfu-device: unknown mode %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--install") == 0) {
            if (n_installs == MAX_INSTALLS || !strchr(v, '=')) {
                fprintf(stderr, "smpdfu-device: --install AREA=IMAGE (at most %d)\n",
                        MAX_INSTALLS);
                return 2;
            }
            installs[n_installs++] = v;
        } else if (strcmp(a, "--b0-key") == 0) {
            int rc = device_b0_key_load(v, cfg.b0_pub);
            if (rc) {
                fprintf(stderr, "smpdfu-device: %s: not an ECDSA P-256 key file (%d)\n", v, rc);
                return 1;
            }
            cfg.has_b0_key = true;
        } else if (strcmp(a, "--trust-key") == 0) {
            if (cfg.key_count == DEVICE_MAX_KEYS) {
                fprintf(stderr, "smpdfu-device: at most %d keys\n", DEVICE_MAX_KEYS);
                return 2;
            }
            int rc = device_key_load(v, &cfg.keys[cfg.key_count]);
            if (rc) {
                fprintf(stderr, "smpdfu-device: %s: not a usable key file (%d)\n", v, rc);
                return 1;
            }
            cfg.key_count++;
        } else {
            fprintf(stderr, "smpdfu-device: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!cfg.flash_path || (layout_name && pm_static)) {
        usage(stderr);
        return 2;
    }

    char err[256];
    int rc;
    if (pm_static) {
        rc = pm_static_load(pm_static, NULL, &cfg.layout, err, sizeof(err));
    } else {
        rc = layout_builtin(layout_name ? layout_name : "nrf52840", &cfg.layout);
        snprintf(err, sizeof(err), "unknown layout %s", layout_name ? layout_name : "");
    }
    if (rc) {
        fprintf(stderr, "smpdfu-device: %s: %s\n", pm_static ? pm_static : "layout", err);
        return 1;
    }

    cfg.log = stderr;
    if (log_path) {
        cfg.log = fopen(log_path, "a");
        if (!cfg.log) {
            fprintf(stderr, "smpdfu-device: %s: %s\n", log_path, strerror(errno));
            return 1;
        }
    }
    setvbuf(cfg.log, NULL, _IOLBF, 0);

    rc = device_open(&dev, &cfg);
    if (rc) {
        fprintf(stderr, "smpdfu-device: %s: %s (%d)\n", cfg.flash_path,
                rc == DEVICE_EFLASH ? "cannot open the flash file" : "device not set up, see the log",
                rc);
        return 1;
    }
    for (size_t i = 0; i < n_installs; i++) {
        char area[LAYOUT_NAME_MAX];
        const char *eq = strchr(installs[i], '=');
        size_t alen = (size_t)(eq - installs[i]);
        if (alen >= sizeof(area)) {
            alen = sizeof(area) - 1;
        }
        memcpy(area, installs[i], alen);
        area[alen] = '\0';
        rc = device_install(&dev, area, eq + 1);
        if (rc) {
            fprintf(stderr, "smpdfu-device: --install %s failed (%d)\n", installs[i], rc);
            device_close(&dev);
            return 1;
        }
    }

    struct udp_sock udp = { .fd = -1 };
    struct serial_port serial = { .fd = -1, .keep_fd = -1 };
    static struct blesim_peripheral blesim;
    struct bluez_peripheral *bluez = NULL;
    if (!udp_spec && !serial_spec && !blesim_path && !ble_name) {
        udp_spec = "127.0.0.1:1337";
    }
    if (udp_spec) {
        char host[256];
        uint16_t port;
        rc = udp_parse_hostport(udp_spec, host, sizeof(host), &port, UDP_DEFAULT_PORT);
        if (rc == 0) {
            rc = udp_server_open(&udp, host, port);
        }
        if (rc) {
            fprintf(stderr, "smpdfu-device: udp %s: %s\n", udp_spec, strerror(-rc));
            device_close(&dev);
            return 1;
        }
    }
    if (serial_spec) {
        rc = strcmp(serial_spec, "pty") == 0 ? serial_open_pty(&serial)
                                             : serial_open_device(&serial, serial_spec, baud);
        if (rc) {
            fprintf(stderr, "smpdfu-device: serial %s: %s\n", serial_spec, strerror(-rc));
            udp_close(&udp);
            device_close(&dev);
            return 1;
        }
    }

    if (blesim_path && (rc = blesim_peripheral_open(&blesim, blesim_path)) != 0) {
        fprintf(stderr, "smpdfu-device: blesim %s: %s\n", blesim_path, strerror(-rc));
        serial_close(&serial);
        udp_close(&udp);
        device_close(&dev);
        return 1;
    }
    if (ble_name && (rc = bluez_peripheral_open(&bluez, ble_name, 10000)) != 0) {
        fprintf(stderr, "smpdfu-device: ble %s: BlueZ refused or is not there: %s\n", ble_name,
                strerror(-rc));
        if (blesim_path) {
            blesim_peripheral_close(&blesim);
        }
        serial_close(&serial);
        udp_close(&udp);
        device_close(&dev);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (device_boot(&dev) == DEVICE_EFLASH) {
        fprintf(stderr, "smpdfu-device: the boot loader could not finish (flash failure)\n");
    }
    if (udp_spec) {
        char name[300];
        udp_local_name(&udp, name, sizeof(name));
        printf("listening udp %s\n", name);
    }
    if (serial_spec) {
        printf("listening serial %s\n", serial.path);
    }
    if (blesim_path) {
        printf("listening blesim %s\n", blesim_path);
    }
    if (ble_name) {
        printf("listening ble %s\n", ble_name);
    }
    fflush(stdout);

    struct device_links links = {
        .udp = udp_spec ? &udp : NULL,
        .serial = serial_spec ? &serial : NULL,
        .blesim = blesim_path ? &blesim : NULL,
        .bluez = bluez,
    };
    rc = device_serve(&dev, &links, &stop_flag);
    if (rc) {
        fprintf(stderr, "smpdfu-device: transport failed: %s\n", strerror(-rc));
    }
    device_log(&dev, 'I', "power off");
    if (bluez) {
        bluez_peripheral_close(bluez);
    }
    if (blesim_path) {
        blesim_peripheral_close(&blesim);
    }
    serial_close(&serial);
    udp_close(&udp);
    device_close(&dev);
    if (cfg.log != stderr) {
        fclose(cfg.log);
    }
    return rc ? 1 : 0;
}
