/*
 * smpdfu: the host client. Argument parsing and wiring only; the work is
 * in src/client.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/dfu.h"
#include "client/output.h"
#include "client/package.h"
#include "client/session.h"

#define EXIT_USAGE 2

struct globals {
    const char *conn, *conntype, *connstring;
    bool json, quiet;
    double timeout_s;
    int tries;
    unsigned window;
    size_t frame;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smpdfu [-c CONN] [--conntype T --connstring S] [--json] [-t SECONDS]\n"
            "              [-r TRIES] [--window N] [--frame BYTES] [-q] COMMAND ...\n"
            "\n"
            "CONN: udp:HOST[:PORT] (default port 1337), serial:DEVICE[,baud=N], ble:NAME|ADDRESS\n"
            "      (BlueZ), blesim:SOCKET[,interval=MS,phy=1M|2M,mtu=N,dle=N,ppe=N,enc=0|1] (the\n"
            "      simulated device's BLE link), or a saved profile (smpdfu conn add NAME CONN).\n"
            "\n"
            "commands:\n"
            "  echo TEXT                      the device answers TEXT\n"
            "  reset [--force]                reboot the device\n"
            "  params                         the device's SMP buffers (buf_size, buf_count)\n"
            "  info                           OS and bootloader information\n"
            "  image list                     images in the slots, with their flags\n"
            "  image upload FILE [--image N] [--slot N] [--upgrade]\n"
            "  image test HASH                boot the image with HASH once at the next reset\n"
            "  image confirm [HASH]           make HASH (default: what runs) permanent\n"
            "  image erase [--slot N]         erase a slot (default: the spare one)\n"
            "  image slots                    slot sizes\n"
            "  storage erase                  erase the settings/storage partition\n"
            "  upgrade FILE.bin|dfu_application.zip [--mode test-confirm|confirm|test|upload]\n"
            "          [--erase-settings] [--reconnect SECONDS] [--image N (a .bin's image pair)]\n"
            "          [--force (send an MCUboot that is not newer than the running one)]\n"
            "                                 upload, mark, reset, wait, confirm, list\n"
            "  conn add NAME CONN | conn list | conn delete NAME\n");
}

static int open_session(const struct globals *g, struct output *out, const char *command,
                        struct client_link *link, struct smp_session *s)
{
    char err[512];
    struct conn_spec c;
    int rc;
    if (g->conntype) {
        rc = conn_parse_go(g->conntype, g->connstring, &c, err, sizeof(err));
    } else if (g->conn && strchr(g->conn, ':')) {
        rc = conn_parse(g->conn, &c, err, sizeof(err));
    } else {
        const char *name = g->conn ? g->conn : "default";
        char spec[512];
        rc = conn_profile_find(name, spec, sizeof(spec));
        if (rc) {
            snprintf(err, sizeof(err),
                     g->conn ? "no connection profile named \"%s\""
                             : "no connection given (-c udp:HOST[:PORT] or -c serial:DEVICE, or "
                               "save a profile named \"%s\")",
                     name);
        } else {
            rc = conn_parse(spec, &c, err, sizeof(err));
        }
    }
    if (rc == 0) {
        rc = conn_open(&c, link, err, sizeof(err));
    }
    if (rc) {
        output_fail(out, command, "%s", err);
        return rc;
    }
    rc = smp_session_init(s, link);
    if (rc) {
        link_close(link);
        output_fail(out, command, "out of memory");
        return rc;
    }
    s->timeout_ms = (int)(g->timeout_s * 1000);
    s->retries = g->tries > 0 ? g->tries - 1 : 0;
    return 0;
}

/* Frame and window from the device, then the user's caps. */
static int negotiate(const struct globals *g, struct output *out, const char *command,
                     struct smp_session *s)
{
    int rc = smp_session_negotiate(s);
    if (rc) {
        output_error(out, command, s, rc, "reading the device's buffer sizes");
        return rc;
    }
    if (!s->params_known) {
        output_warn(out, "the device does not report its buffers (OS params): using %zu-byte "
                         "requests, one at a time",
                    s->frame_size);
    }
    if (g->frame && g->frame < s->frame_size) {
        s->frame_size = g->frame;
    }
    if (g->window) {
        s->window = g->window;
    }
    return 0;
}

static int finish(struct output *out, const char *command, struct smp_session *s, int rc,
                  cJSON *result, const char *context)
{
    if (rc == 0) {
        output_result(out, command, result);
        return 0;
    }
    cJSON_Delete(result);
    output_error(out, command, s, rc, context);
    return 1;
}

/* "--name VALUE" options after a command; unknown ones are usage errors. */
static int int_opt(int argc, char **argv, int *i, const char *name, int *val)
{
    if (strcmp(argv[*i], name) != 0) {
        return 0;
    }
    if (*i + 1 >= argc) {
        return -1;
    }
    char *end;
    long v = strtol(argv[*i + 1], &end, 0);
    if (*end || v < 0) {
        return -1;
    }
    *val = (int)v;
    (*i)++;
    return 1;
}

static int cmd_upload_main(const struct globals *g, struct output *out, struct smp_session *s,
                           int argc, char **argv)
{
    const char *command = "image upload";
    const char *file = NULL;
    int image = 0, slot = -1;
    bool upgrade = false;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = int_opt(argc, argv, &i, "--image", &image)) ||
            (r = int_opt(argc, argv, &i, "--slot", &slot))) {
            if (r < 0) {
                output_fail(out, command, "%s needs a number", argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--upgrade") == 0) {
            upgrade = true;
        } else if (!file && argv[i][0] != '-') {
            file = argv[i];
        } else {
            output_fail(out, command, "unexpected argument %s", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        output_fail(out, command, "which file? (image upload FILE)");
        return EXIT_USAGE;
    }
    struct upload_opts o = { .upgrade = upgrade, .progress = output_progress,
                             .progress_arg = out };
    uint8_t *data = NULL;
    int rc = read_whole_file(file, &data, &o.len);
    if (rc) {
        output_fail(out, command, "%s: %s", file, strerror(-rc));
        return 1;
    }
    o.data = data;
    rc = negotiate(g, out, command, s);
    cJSON *res = NULL;
    if (rc == 0) {
        rc = cmd_image_upload(s, &o, image, slot, &res);
        if (rc == -ENOENT && slot >= 0) {
            free(data);
            output_fail(out, command, "the device offers no slot %d of image %d for upload", slot,
                        image);
            return 1;
        }
        char ctx[600];
        snprintf(ctx, sizeof(ctx), "upload of %s", file);
        rc = finish(out, command, s, rc, res, ctx);
    } else {
        rc = 1;
    }
    free(data);
    return rc;
}

static int image_main(const struct globals *g, struct output *out, struct smp_session *s,
                      int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[0];
    cJSON *res = NULL;
    int rc;
    uint8_t hash[IMG_HASH_LEN];
    if (strcmp(sub, "list") == 0 && argc == 1) {
        rc = cmd_image_list(s, &res);
        return finish(out, "image list", s, rc, res, NULL);
    }
    if (strcmp(sub, "upload") == 0) {
        return cmd_upload_main(g, out, s, argc - 1, argv + 1);
    }
    if ((strcmp(sub, "test") == 0 && argc == 2) || (strcmp(sub, "confirm") == 0 && argc <= 2)) {
        const char *command = sub[0] == 't' ? "image test" : "image confirm";
        if (argc == 2 && parse_hash(argv[1], hash)) {
            output_fail(out, command, "\"%s\" is not a hash (64 hex digits, as image list shows)",
                        argv[1]);
            return EXIT_USAGE;
        }
        rc = cmd_image_state(s, argc == 2 ? hash : NULL, sub[0] == 'c', &res);
        return finish(out, command, s, rc, res, NULL);
    }
    if (strcmp(sub, "erase") == 0) {
        int slot = -1;
        for (int i = 1; i < argc; i++) {
            if (int_opt(argc, argv, &i, "--slot", &slot) != 1) {
                output_fail(out, "image erase", "usage: image erase [--slot N]");
                return EXIT_USAGE;
            }
        }
        rc = cmd_image_erase(s, slot, &res);
        return finish(out, "image erase", s, rc, res, NULL);
    }
    if (strcmp(sub, "slots") == 0 && argc == 1) {
        rc = cmd_image_slots(s, &res);
        return finish(out, "image slots", s, rc, res, NULL);
    }
    usage(stderr);
    return EXIT_USAGE;
}

static int upgrade_main(const struct globals *g, struct output *out, struct smp_session *s,
                        int argc, char **argv)
{
    const char *command = "upgrade";
    const char *file = NULL;
    struct dfu_opts o = { .mode = DFU_MODE_DEFAULT, .reconnect_ms = 60000,
                          .reset_settle_ms = 500 };
    int image = -1;
    for (int i = 0; i < argc; i++) {
        int secs = -1;
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            if (dfu_mode_parse(argv[++i], &o.mode)) {
                output_fail(out, command, "unknown mode %s (test-confirm, confirm, test, upload)",
                            argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--erase-settings") == 0) {
            o.erase_settings = true;
        } else if (strcmp(argv[i], "--force") == 0) {
            o.force = true;
        } else if (int_opt(argc, argv, &i, "--image", &image) == 1) {
            continue;
        } else if (int_opt(argc, argv, &i, "--reconnect", &secs) == 1 && secs > 0) {
            o.reconnect_ms = secs * 1000;
        } else if (!file && argv[i][0] != '-') {
            file = argv[i];
        } else {
            output_fail(out, command, "unexpected argument %s", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        output_fail(out, command, "which file? (upgrade FILE.bin|dfu_application.zip)");
        return EXIT_USAGE;
    }
    struct package p;
    char err[512];
    if (package_load(file, &p, err, sizeof(err))) {
        output_fail(out, command, "%s", err);
        return 1;
    }
    if (image >= 0) {
        /* A .bin says nothing of the image pair it belongs to. */
        if (p.zip) {
            package_free(&p);
            output_fail(out, command, "--image is for a .bin; a zip's manifest names the images");
            return EXIT_USAGE;
        }
        p.img[0].image = (uint32_t)image;
    }
    o.upload.progress = output_progress;
    o.upload.progress_arg = out;
    int rc = negotiate(g, out, command, s);
    if (rc == 0) {
        rc = dfu_upgrade(s, &p, &o, out);
    }
    package_free(&p);
    return rc ? 1 : 0;
}

static int conn_main(struct output *out, int argc, char **argv)
{
    char err[512];
    if (argc == 3 && strcmp(argv[0], "add") == 0) {
        if (conn_profile_save(argv[1], argv[2], err, sizeof(err))) {
            output_fail(out, "conn add", "%s", err);
            return 1;
        }
        output_result(out, "conn add", NULL);
        return 0;
    }
    if (argc == 2 && strcmp(argv[0], "delete") == 0) {
        int rc = conn_profile_delete(argv[1]);
        if (rc) {
            output_fail(out, "conn delete", "%s: %s", argv[1],
                        rc == -ENOENT ? "no such profile" : strerror(-rc));
            return 1;
        }
        output_result(out, "conn delete", NULL);
        return 0;
    }
    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        cJSON *res = cJSON_CreateObject();
        cJSON_AddItemToObject(res, "profiles", conn_profiles_json());
        if (!out->json) {
            const cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "profiles");
            for (const cJSON *p = list->child; p; p = p->next) {
                printf("%s %s\n", p->string, p->valuestring);
            }
            cJSON_Delete(res);
            return 0;
        }
        output_result(out, "conn list", res);
        return 0;
    }
    usage(stderr);
    return EXIT_USAGE;
}

static int run(const struct globals *g, struct output *out, int argc, char **argv)
{
    const char *cmd = argv[0];
    if (strcmp(cmd, "conn") == 0) {
        return conn_main(out, argc - 1, argv + 1);
    }
    const char *command = cmd;
    if ((strcmp(cmd, "image") == 0 || strcmp(cmd, "storage") == 0) && argc > 1) {
        static char name[64];
        snprintf(name, sizeof(name), "%s %s", cmd, argv[1]);
        command = name;
    }
    struct client_link link;
    struct smp_session s;
    if (open_session(g, out, command, &link, &s)) {
        return 1;
    }
    cJSON *res = NULL;
    int rc;
    if (strcmp(cmd, "echo") == 0 && argc == 2) {
        rc = cmd_echo(&s, argv[1], &res);
        rc = finish(out, command, &s, rc, res, NULL);
    } else if (strcmp(cmd, "reset") == 0 && (argc == 1 || (argc == 2 && !strcmp(argv[1], "--force")))) {
        rc = cmd_reset(&s, argc == 2, &res);
        rc = finish(out, command, &s, rc, res, NULL);
    } else if (strcmp(cmd, "params") == 0 && argc == 1) {
        rc = cmd_params(&s, &res);
        rc = finish(out, command, &s, rc, res, NULL);
    } else if (strcmp(cmd, "info") == 0 && argc == 1) {
        rc = cmd_info(&s, &res);
        rc = finish(out, command, &s, rc, res, NULL);
    } else if (strcmp(cmd, "image") == 0) {
        rc = image_main(g, out, &s, argc - 1, argv + 1);
    } else if (strcmp(cmd, "upgrade") == 0) {
        rc = upgrade_main(g, out, &s, argc - 1, argv + 1);
    } else if (strcmp(cmd, "storage") == 0 && argc == 2 && strcmp(argv[1], "erase") == 0) {
        rc = cmd_storage_erase(&s, &res);
        rc = finish(out, command, &s, rc, res, NULL);
    } else {
        usage(stderr);
        rc = EXIT_USAGE;
    }
    smp_session_free(&s);
    link_close(&link);
    return rc;
}

int main(int argc, char **argv)
{
    struct globals g = { .timeout_s = 5.0, .tries = 4 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            g.json = true;
            continue;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            g.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "smpdfu: %s needs a value (or is unknown)\n", a);
            return EXIT_USAGE;
        }
        i++;
        char *end = NULL;
        if (strcmp(a, "-c") == 0 || strcmp(a, "--conn") == 0) {
            g.conn = v;
        } else if (strcmp(a, "--conntype") == 0) {
            g.conntype = v;
        } else if (strcmp(a, "--connstring") == 0) {
            g.connstring = v;
        } else if (strcmp(a, "-t") == 0 || strcmp(a, "--timeout") == 0) {
            g.timeout_s = strtod(v, &end);
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--tries") == 0) {
            g.tries = (int)strtol(v, &end, 10);
        } else if (strcmp(a, "--window") == 0) {
            g.window = (unsigned)strtoul(v, &end, 10);
        } else if (strcmp(a, "--frame") == 0) {
            g.frame = strtoul(v, &end, 10);
        } else {
            fprintf(stderr, "smpdfu: unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (end && *end) {
            fprintf(stderr, "smpdfu: %s: bad number \"%s\"\n", a, v);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (g.timeout_s <= 0 || g.tries < 1) {
        fprintf(stderr, "smpdfu: --timeout must be > 0 and --tries >= 1\n");
        return EXIT_USAGE;
    }
    /* A link whose device went away (a reset) must fail a write, not end
     * the program. */
    signal(SIGPIPE, SIG_IGN);
    struct output out;
    output_init(&out, g.json, stdout, stderr);
    out.quiet = g.quiet;
    return run(&g, &out, argc - i, argv + i);
}
