/*
 * What smpdfu prints. Text for people (Go mcumgr's layouts where users
 * know them, a progress bar on a terminal, plain lines otherwise), or with
 * --json one JSON object per line with stable keys:
 *   {"command": "...", "ok": true, ...the answer's keys...}
 *   {"command": "...", "ok": false, "error": {"message", "group", "name", "rc", "hint"}}
 *   {"event": "progress", "done": N, "total": N}
 *   {"event": "step", "step": "...", ...}
 */
#ifndef SMPDFU_CLIENT_OUTPUT_H
#define SMPDFU_CLIENT_OUTPUT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct smp_session;

struct output {
    bool json;
    bool tty;          /* progress as a redrawn bar */
    bool quiet;        /* no progress */
    FILE *out, *err;
    /* Progress state. */
    double t0;
    size_t last_done;
    double last_print;
    bool bar_open;
};

void output_init(struct output *o, bool json, FILE *out, FILE *err);

/* The result of a command: in text, per command ("image list" as Go
 * mcumgr prints it, "echo" the text, others key: value lines). Takes
 * ownership of result. */
void output_result(struct output *o, const char *command, cJSON *result);

/* A failure: rc from a command (SESSION_EREFUSED uses s->status) with
 * context ("upload of app.bin"). */
void output_error(struct output *o, const char *command, const struct smp_session *s, int rc,
                  const char *context);
/* A failure that is no device answer (bad arguments, files). */
void output_fail(struct output *o, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One step of a longer flow: text is the line for people, fields (owned,
 * may be NULL) what --json adds. */
void output_step(struct output *o, const char *step, cJSON *fields, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A warning line (stderr in text mode). */
void output_warn(struct output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Upload progress callback (struct upload_opts.progress). */
void output_progress(void *output, size_t done, size_t total);
/* Ends the bar (newline) before other text. */
void output_progress_end(struct output *o);

/* Text for an error code without a device answer. */
const char *client_strerror(int rc);

#endif
