#include "client/output.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/dfu.h"
#include "client/image_state.h"
#include "client/session.h"
#include "client/upload.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void output_init(struct output *o, bool json, FILE *out, FILE *err)
{
    memset(o, 0, sizeof(*o));
    o->json = json;
    o->out = out;
    o->err = err;
    o->tty = !json && isatty(fileno(out));
}

static void print_json_line(struct output *o, cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    if (s) {
        fprintf(o->out, "%s\n", s);
        cJSON_free(s);
    }
    fflush(o->out);
}

static const char *flag_names[] = { "active", "confirmed", "pending", "permanent" };

/* Go mcumgr's layout, so eyes and scripts that know it keep working. */
static void print_image_list(struct output *o, const cJSON *r)
{
    fprintf(o->out, "Images:\n");
    const cJSON *img;
    cJSON_ArrayForEach(img, cJSON_GetObjectItemCaseSensitive(r, "images"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(img, "image");
        const cJSON *slot = cJSON_GetObjectItemCaseSensitive(img, "slot");
        const cJSON *ver = cJSON_GetObjectItemCaseSensitive(img, "version");
        const cJSON *hash = cJSON_GetObjectItemCaseSensitive(img, "hash");
        fprintf(o->out, " image=%d slot=%d\n", cJSON_IsNumber(n) ? n->valueint : 0,
                cJSON_IsNumber(slot) ? slot->valueint : 0);
        fprintf(o->out, "    version: %s\n", cJSON_IsString(ver) ? ver->valuestring : "");
        fprintf(o->out, "    bootable: %s\n", image_entry_flag(img, "bootable") ? "true" : "false");
        fprintf(o->out, "    flags:");
        for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
            if (image_entry_flag(img, flag_names[i])) {
                fprintf(o->out, " %s", flag_names[i]);
            }
        }
        fprintf(o->out, "\n    hash: %s\n", cJSON_IsString(hash) ? hash->valuestring : "");
    }
    const cJSON *split = cJSON_GetObjectItemCaseSensitive(r, "splitStatus");
    int sv = cJSON_IsNumber(split) ? split->valueint : 0;
    fprintf(o->out, "Split status: %s (%d)\n", sv == 0 ? "N/A" : sv == 1 ? "matching" : "not matching",
            sv);
}

static void print_slots(struct output *o, const cJSON *r)
{
    const cJSON *img;
    cJSON_ArrayForEach(img, cJSON_GetObjectItemCaseSensitive(r, "images"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(img, "image");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(img, "max_image_size");
        fprintf(o->out, "image %d", cJSON_IsNumber(n) ? n->valueint : 0);
        if (cJSON_IsNumber(max)) {
            fprintf(o->out, " (max image size %.0f)", max->valuedouble);
        }
        fprintf(o->out, "\n");
        const cJSON *sl;
        cJSON_ArrayForEach(sl, cJSON_GetObjectItemCaseSensitive(img, "slots"))
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(sl, "slot");
            const cJSON *size = cJSON_GetObjectItemCaseSensitive(sl, "size");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(sl, "upload_image_id");
            fprintf(o->out, "  slot %d: %.0f bytes", cJSON_IsNumber(k) ? k->valueint : 0,
                    cJSON_IsNumber(size) ? size->valuedouble : 0);
            if (cJSON_IsNumber(id)) {
                fprintf(o->out, ", upload as image %d", id->valueint);
            }
            fprintf(o->out, "\n");
        }
    }
}

static void print_value(struct output *o, const char *key, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        fprintf(o->out, "%s: %s\n", key, v->valuestring);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        fprintf(o->out, "%s: %s\n", key, s ? s : "");
        cJSON_free(s);
    }
}

void output_result(struct output *o, const char *command, cJSON *result)
{
    output_progress_end(o);
    if (!result) {
        result = cJSON_CreateObject();
    }
    if (o->json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "command", command);
        cJSON_AddBoolToObject(line, "ok", true);
        cJSON *item = result->child;
        while (item) {
            cJSON *next = item->next;
            cJSON_AddItemToObject(line, item->string,
                                  cJSON_DetachItemViaPointer(result, item));
            item = next;
        }
        print_json_line(o, line);
        cJSON_Delete(line);
    } else if (strcmp(command, "image list") == 0 || strcmp(command, "image test") == 0 ||
               strcmp(command, "image confirm") == 0) {
        print_image_list(o, result);
    } else if (strcmp(command, "image slots") == 0) {
        print_slots(o, result);
    } else if (strcmp(command, "echo") == 0) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(result, "r");
        fprintf(o->out, "%s\n", cJSON_IsString(r) ? r->valuestring : "");
    } else if (!result->child) {
        fprintf(o->out, "Done\n");
    } else {
        for (const cJSON *v = result->child; v; v = v->next) {
            print_value(o, v->string, v);
        }
    }
    fflush(o->out);
    cJSON_Delete(result);
}

const char *client_strerror(int rc)
{
    switch (rc) {
    case SESSION_EBADREPLY:
        return "the device's answer is not a valid SMP response";
    case UPLOAD_EMISMATCH:
        return "the device's hash of the uploaded data differs from the file's: the upload is "
               "damaged; upload again";
    case UPLOAD_EOFFSET:
        return "the device reported an offset beyond the end of the image";
    case UPLOAD_ESTALLED:
        return "the device keeps answering without taking any data (a stuck upload on its "
               "side); erase the slot (image erase) or reset it, then upload again";
    case -ETIMEDOUT:
        return "no answer from the device (timed out after the retries); check the connection, "
               "or raise --timeout";
    case DFU_ENOTRUNNING:
        return "the device does not run the new image after the reset";
    case DFU_ENORETURN:
        return "the device did not answer after the reset; it may still be swapping, or the new "
               "image does not start (the bootloader reverts it at the next power cycle)";
    case -EMSGSIZE:
        return "a request does not fit the device's buffer";
    default:
        return strerror(rc < 0 ? -rc : rc);
    }
}

void output_error(struct output *o, const char *command, const struct smp_session *s, int rc,
                  const char *context)
{
    output_progress_end(o);
    char msg[512];
    if (rc == SESSION_EREFUSED) {
        smp_status_describe(&s->status, msg, sizeof(msg));
    } else {
        snprintf(msg, sizeof(msg), "%s", client_strerror(rc));
    }
    if (o->json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "command", command);
        cJSON_AddBoolToObject(line, "ok", false);
        cJSON *e = cJSON_AddObjectToObject(line, "error");
        char full[700];
        snprintf(full, sizeof(full), "%s%s%s", context ? context : "", context ? ": " : "", msg);
        cJSON_AddStringToObject(e, "message", full);
        if (rc == SESSION_EREFUSED) {
            char gbuf[16];
            cJSON_AddStringToObject(e, "group", smp_group_name(s->status.group, gbuf, sizeof(gbuf)));
            cJSON_AddStringToObject(e, "name", smp_status_name(&s->status));
            cJSON_AddNumberToObject(e, "rc", s->status.group_err ? s->status.group_rc : s->status.rc);
            cJSON_AddBoolToObject(e, "group_error", s->status.group_err);
            cJSON_AddStringToObject(e, "hint", smp_status_hint(&s->status));
        }
        print_json_line(o, line);
        cJSON_Delete(line);
    } else {
        fprintf(o->err, "Error: %s%s%s\n", context ? context : "", context ? ": " : "", msg);
    }
}

void output_fail(struct output *o, const char *command, const char *fmt, ...)
{
    output_progress_end(o);
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (o->json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "command", command);
        cJSON_AddBoolToObject(line, "ok", false);
        cJSON *e = cJSON_AddObjectToObject(line, "error");
        cJSON_AddStringToObject(e, "message", msg);
        print_json_line(o, line);
        cJSON_Delete(line);
    } else {
        fprintf(o->err, "Error: %s\n", msg);
    }
}

/*
 * One event: a JSON line {"event", ["step",] "message", fields...} (the
 * fields are moved in and fields freed), or the message as text on stream
 * after prefix.
 */
static void emit_event(struct output *o, const char *event, const char *step, cJSON *fields,
                       FILE *stream, const char *prefix, const char *msg)
{
    if (o->json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "event", event);
        if (step) {
            cJSON_AddStringToObject(line, "step", step);
        }
        cJSON_AddStringToObject(line, "message", msg);
        if (fields) {
            cJSON *item = fields->child;
            while (item) {
                cJSON *next = item->next;
                cJSON_AddItemToObject(line, item->string, cJSON_DetachItemViaPointer(fields, item));
                item = next;
            }
        }
        print_json_line(o, line);
        cJSON_Delete(line);
    } else {
        fprintf(stream, "%s%s\n", prefix, msg);
        fflush(stream);
    }
    cJSON_Delete(fields);
}

void output_step(struct output *o, const char *step, cJSON *fields, const char *fmt, ...)
{
    output_progress_end(o);
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit_event(o, "step", step, fields, o->out, "", msg);
}

void output_warn(struct output *o, const char *fmt, ...)
{
    output_progress_end(o);
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit_event(o, "warning", NULL, NULL, o->err, "Warning: ", msg);
}

void output_progress(void *arg, size_t done, size_t total)
{
    struct output *o = arg;
    double t = now_s();
    if (o->quiet) {
        return;
    }
    if (o->t0 == 0 || done < o->last_done) {
        o->t0 = t;
        o->last_print = 0;
    }
    o->last_done = done;
    bool final = done == total;
    /* A terminal redraws often; a log or pipe gets a line per second. */
    double every = o->tty ? 0.1 : 1.0;
    if (!final && t - o->last_print < every) {
        return;
    }
    o->last_print = t;
    double secs = t - o->t0;
    double rate = secs > 0 ? done / secs : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    unsigned pct = total ? (unsigned)(100.0 * done / total) : 100;
    if (o->json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "event", "progress");
        cJSON_AddNumberToObject(line, "done", (double)done);
        cJSON_AddNumberToObject(line, "total", (double)total);
        cJSON_AddNumberToObject(line, "bytes_per_s", (double)(long)rate);
        print_json_line(o, line);
        cJSON_Delete(line);
    } else if (o->tty) {
        char bar[31];
        size_t fill = total ? (size_t)(30.0 * done / total) : 30;
        for (size_t i = 0; i < 30; i++) {
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        }
        bar[30] = '\0';
        fprintf(o->out, "\r%7.1f KiB / %.1f KiB [%s] %3u%% %6.1f kB/s ETA %3.0fs ",
                done / 1024.0, total / 1024.0, bar, pct, rate / 1000.0, eta);
        o->bar_open = !final;
        if (final) {
            fprintf(o->out, "\n");
        }
    } else {
        fprintf(o->out, "upload: %zu / %zu bytes (%u%%), %.1f kB/s\n", done, total, pct,
                rate / 1000.0);
    }
    fflush(o->out);
}

void output_progress_end(struct output *o)
{
    if (o->bar_open) {
        fprintf(o->out, "\n");
        o->bar_open = false;
    }
    o->t0 = 0;
}
