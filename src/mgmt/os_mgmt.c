/*
 * OS management group (0), command by command as Zephyr's os_mgmt answers
 * them. Task and memory-pool statistics and console echo control are not
 * offered (ENOTSUP), as in a Zephyr build without them.
 */
#include "mgmt/os_mgmt.h"

#include <string.h>

#include "mgmt/mgmt_text.h"
#include "mgmt/os_datetime.h"
#include "wire/smp_err.h"

/* Longest date-time text printed: "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM". */
#define OS_DATETIME_TEXT_MAX 33

static int os_echo(struct mgmt_ctx *ctx)
{
    struct smp_cbor_field f[] = {{.key = "d", .type = SMP_CBOR_TSTR}};
    int rc = mgmt_decode(ctx, f, 1);

    if (rc != MGMT_OK) {
        return rc;
    }
    /* What goes back must be a valid text string: invalid UTF-8 is refused
     * rather than reflected. */
    if (!f[0].found || !mgmt_utf8_valid(f[0].v.str.ptr, f[0].v.str.len)) {
        return SMP_MGMT_EINVAL;
    }
    smp_cbor_put_key(ctx->w, "r");
    smp_cbor_put_tstr_n(ctx->w, (const char *)f[0].v.str.ptr, f[0].v.str.len);
    return MGMT_OK;
}

static int os_datetime_get(struct mgmt_ctx *ctx)
{
    const struct smp_server_config *cfg = &ctx->srv->cfg;
    struct smp_datetime dt;
    struct mgmt_text t;
    char text[OS_DATETIME_TEXT_MAX];
    int rc;

    if (cfg->clock_get == NULL) {
        return SMP_MGMT_ENOTSUP;
    }
    memset(&dt, 0, sizeof(dt));
    rc = cfg->clock_get(cfg->ctx, &dt);
    if (rc == SMP_SERVER_CLOCK_NOT_SET) {
        return mgmt_group_err(ctx, SMP_OS_ERR_RTC_NOT_SET);
    }
    if (rc != 0 || !os_datetime_valid(&dt)) {
        return mgmt_group_err(ctx, SMP_OS_ERR_RTC_COMMAND_FAILED);
    }
    mgmt_text_init(&t, text, sizeof(text));
    os_datetime_format(&dt, &t);
    smp_cbor_put_key(ctx->w, "datetime");
    smp_cbor_put_tstr_n(ctx->w, t.buf, t.len);
    return MGMT_OK;
}

static int os_datetime_set(struct mgmt_ctx *ctx)
{
    const struct smp_server_config *cfg = &ctx->srv->cfg;
    struct smp_cbor_field f[] = {{.key = "datetime", .type = SMP_CBOR_TSTR}};
    struct smp_datetime dt;
    int rc;

    if (cfg->clock_set == NULL) {
        return SMP_MGMT_ENOTSUP;
    }
    rc = mgmt_decode(ctx, f, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    if (!f[0].found ||
        os_datetime_parse((const char *)f[0].v.str.ptr, f[0].v.str.len, &dt) != 0) {
        return SMP_MGMT_EINVAL;
    }
    if (cfg->clock_set(cfg->ctx, &dt) != 0) {
        return mgmt_group_err(ctx, SMP_OS_ERR_RTC_COMMAND_FAILED);
    }
    return MGMT_OK;
}

/* The reset itself is the caller's: it asks smp_server_take_reset() once the
 * reply has been sent, so the client always hears the answer. */
static int os_reset(struct mgmt_ctx *ctx)
{
    const struct smp_server_config *cfg = &ctx->srv->cfg;
    struct smp_cbor_field f[] = {{.key = "force", .type = SMP_CBOR_BOOL}};
    bool force;
    int rc = mgmt_decode(ctx, f, 1);

    if (rc != MGMT_OK) {
        return rc;
    }
    force = f[0].found && f[0].v.b;
    if (cfg->reset_check != NULL && cfg->reset_check(cfg->ctx, force) != 0) {
        mgmt_log(ctx->srv, 'W', "os: reset refused by the application");
        return SMP_MGMT_EBUSY;
    }
    mgmt_log(ctx->srv, 'I', force ? "os: forced reset requested" : "os: reset requested");
    ctx->srv->reset_pending = true;
    return MGMT_OK;
}

static int os_mcumgr_params(struct mgmt_ctx *ctx)
{
    smp_cbor_put_key(ctx->w, "buf_size");
    smp_cbor_put_uint(ctx->w, ctx->srv->cfg.buf_size);
    smp_cbor_put_key(ctx->w, "buf_count");
    smp_cbor_put_uint(ctx->w, ctx->srv->cfg.buf_count);
    return MGMT_OK;
}

/* Info format letters in output order (Zephyr's bit order). */
enum os_info_bit {
    OS_INFO_KERNEL_NAME = 1u << 0,    /* s */
    OS_INFO_NODE_NAME = 1u << 1,      /* n */
    OS_INFO_KERNEL_RELEASE = 1u << 2, /* r */
    OS_INFO_KERNEL_VERSION = 1u << 3, /* v */
    OS_INFO_BUILD_DATE = 1u << 4,     /* b */
    OS_INFO_MACHINE = 1u << 5,        /* m */
    OS_INFO_PROCESSOR = 1u << 6,      /* p */
    OS_INFO_PLATFORM = 1u << 7,       /* i */
    OS_INFO_OS_NAME = 1u << 8,        /* o */
};

static const char os_info_letters[] = "snrvbmpio";

/* The string for bit i of the output order. */
static const char *os_info_part(const struct smp_server_config *cfg, unsigned i)
{
    const char *parts[] = {
        cfg->kernel_name, cfg->node_name, cfg->kernel_release,
        cfg->kernel_version, cfg->build_date, cfg->machine,
        cfg->processor, cfg->hardware_platform, cfg->os_name,
    };

    return parts[i] != NULL ? parts[i] : "unknown";
}

static int os_info(struct mgmt_ctx *ctx)
{
    const struct smp_server_config *cfg = &ctx->srv->cfg;
    struct smp_cbor_field f[] = {{.key = "format", .type = SMP_CBOR_TSTR}};
    uint32_t all = 0x1ffu;
    uint32_t mask = 0;
    struct mgmt_text t;
    char text[SMP_SERVER_INFO_MAX];
    int rc = mgmt_decode(ctx, f, 1);

    if (rc != MGMT_OK) {
        return rc;
    }
    if (cfg->build_date == NULL) {
        /* Without a build date, 'b' is an unknown letter (as in Zephyr
         * without MCUMGR_GRP_OS_INFO_BUILD_DATE_TIME). */
        all &= ~(uint32_t)OS_INFO_BUILD_DATE;
    }
    for (size_t i = 0; f[0].found && i < f[0].v.str.len; i++) {
        char c = (char)f[0].v.str.ptr[i];
        const char *pos = c == '\0' ? NULL : strchr(os_info_letters, c);

        if (c == 'a') {
            mask = all;
        } else if (pos != NULL && (all & (1u << (pos - os_info_letters))) != 0) {
            mask |= 1u << (pos - os_info_letters);
        } else {
            return mgmt_group_err(ctx, SMP_OS_ERR_INVALID_FORMAT);
        }
    }
    if (mask == 0) {
        mask = OS_INFO_KERNEL_NAME;
    }
    mgmt_text_init(&t, text, sizeof(text));
    for (unsigned i = 0; i < sizeof(os_info_letters) - 1; i++) {
        if ((mask & (1u << i)) == 0) {
            continue;
        }
        if (t.len != 0) {
            mgmt_text_char(&t, ' ');
        }
        mgmt_text_str(&t, os_info_part(cfg, i));
    }
    if (t.overflow) {
        return SMP_MGMT_EMSGSIZE;
    }
    smp_cbor_put_key(ctx->w, "output");
    smp_cbor_put_tstr_n(ctx->w, t.buf, t.len);
    return MGMT_OK;
}

static bool str_is(const struct smp_cbor_str *s, const char *lit)
{
    size_t n = strlen(lit);

    return s->len == n && memcmp(s->ptr, lit, n) == 0;
}

static int os_bootloader_info(struct mgmt_ctx *ctx)
{
    const struct smp_server_config *cfg = &ctx->srv->cfg;
    struct smp_cbor_field f[] = {{.key = "query", .type = SMP_CBOR_TSTR}};
    int rc = mgmt_decode(ctx, f, 1);

    if (rc != MGMT_OK) {
        return rc;
    }
    if (!f[0].found) {
        smp_cbor_put_key(ctx->w, "bootloader");
        smp_cbor_put_tstr(ctx->w, cfg->bootloader_name != NULL ? cfg->bootloader_name : "MCUboot");
        return MGMT_OK;
    }
    if (str_is(&f[0].v.str, "mode")) {
        smp_cbor_put_key(ctx->w, "mode");
        smp_cbor_put_int(ctx->w, cfg->bootloader_mode);
        /* Zephyr sends the key only when downgrade prevention is on. */
        if (cfg->no_downgrade) {
            smp_cbor_put_key(ctx->w, "no-downgrade");
            smp_cbor_put_bool(ctx->w, true);
        }
        return MGMT_OK;
    }
    if (str_is(&f[0].v.str, "active_b0_slot") && cfg->has_first_stage) {
        uint32_t version;
        int slot;

        if (cfg->b0_active_slot == NULL) {
            return SMP_MGMT_ENOTSUP;
        }
        slot = cfg->b0_active_slot(cfg->ctx);
        if (slot != 0 && slot != 1) {
            return mgmt_group_err(ctx, SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID);
        }
        smp_cbor_put_key(ctx->w, "active");
        smp_cbor_put_uint(ctx->w, (uint64_t)slot);
        /* An addition to NCS's reply: which fw_info version runs there, so
         * a client can warn before sending a bootloader that is not newer. */
        if (cfg->b0_fw_version != NULL && cfg->b0_fw_version(cfg->ctx, &version) == 0) {
            smp_cbor_put_key(ctx->w, "version");
            smp_cbor_put_uint(ctx->w, version);
        }
        return MGMT_OK;
    }
    return mgmt_group_err(ctx, SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER);
}

static const struct mgmt_handler os_mgmt_handlers[] = {
    [OS_MGMT_ID_ECHO] = {os_echo, os_echo},
    [OS_MGMT_ID_CONS_ECHO_CTRL] = {NULL, NULL},
    [OS_MGMT_ID_TASKSTAT] = {NULL, NULL},
    [OS_MGMT_ID_MPSTAT] = {NULL, NULL},
    [OS_MGMT_ID_DATETIME] = {os_datetime_get, os_datetime_set},
    [OS_MGMT_ID_RESET] = {NULL, os_reset},
    [OS_MGMT_ID_MCUMGR_PARAMS] = {os_mcumgr_params, NULL},
    [OS_MGMT_ID_INFO] = {os_info, NULL},
    [OS_MGMT_ID_BOOTLOADER_INFO] = {os_bootloader_info, NULL},
};

const struct mgmt_group os_mgmt_group = {
    .id = SMP_GROUP_OS,
    .handlers = os_mgmt_handlers,
    .handler_count = sizeof(os_mgmt_handlers) / sizeof(os_mgmt_handlers[0]),
};
