#include "device/pm_static.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static void set_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static unsigned long line_of(const yaml_node_t *n)
{
    return (unsigned long)n->start_mark.line + 1;
}

/* A non-negative number that fits 32 bits, hex or decimal. */
static int parse_u32(const char *s, uint32_t *out)
{
    if (!s || *s == '\0' || *s == '-' || *s == '+') {
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static bool is_slot_name(const char *name)
{
    return strncmp(name, "mcuboot_primary", 15) == 0 ||
           strncmp(name, "mcuboot_secondary", 17) == 0;
}

struct fields {
    const char *address;
    const char *size;
    const char *end_address;
    const char *region;
    bool span;
    yaml_node_t *address_node;
};

static int read_fields(yaml_document_t *doc, const char *name, yaml_node_t *val,
                       struct fields *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof(*f));
    if (val->type != YAML_MAPPING_NODE) {
        set_err(err, err_len, "line %lu: partition %s is not a mapping of fields",
                line_of(val), name);
        return LAYOUT_EPARSE;
    }
    for (yaml_node_pair_t *p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *key = scalar(k);
        if (!key || !v) {
            set_err(err, err_len, "line %lu: partition %s has a field without a name",
                    k ? line_of(k) : line_of(val), name);
            return LAYOUT_EPARSE;
        }
        const char **slot = NULL;
        if (strcmp(key, "address") == 0) {
            slot = &f->address;
            f->address_node = v;
        } else if (strcmp(key, "size") == 0) {
            slot = &f->size;
        } else if (strcmp(key, "end_address") == 0) {
            slot = &f->end_address;
        } else if (strcmp(key, "region") == 0) {
            slot = &f->region;
        } else if (strcmp(key, "span") == 0) {
            f->span = true;
            continue;
        } else {
            continue;
        }
        *slot = scalar(v);
        if (!*slot) {
            set_err(err, err_len, "line %lu: %s.%s must be a single value", line_of(v), name,
                    key);
            return LAYOUT_EPARSE;
        }
    }
    return LAYOUT_OK;
}

static int add_partition(yaml_document_t *doc, struct layout *lo, const char *name,
                         yaml_node_t *val, char *err, size_t err_len)
{
    struct fields f;
    int rc = read_fields(doc, name, val, &f, err, err_len);
    if (rc) {
        return rc;
    }
    if (f.region && strcmp(f.region, "flash_primary") != 0) {
        if (is_slot_name(name)) {
            set_err(err, err_len,
                    "line %lu: image slot %s is in region %s; only flash_primary is simulated",
                    line_of(val), name, f.region);
            return LAYOUT_EPARSE;
        }
        return LAYOUT_OK;
    }
    uint32_t addr, size, end;
    if (!f.address) {
        set_err(err, err_len, "line %lu: partition %s has no address", line_of(val), name);
        return LAYOUT_EPARSE;
    }
    if (parse_u32(f.address, &addr)) {
        set_err(err, err_len, "line %lu: %s.address \"%s\" is not a 32-bit number",
                line_of(f.address_node), name, f.address);
        return LAYOUT_EPARSE;
    }
    if (f.size && parse_u32(f.size, &size)) {
        set_err(err, err_len, "line %lu: %s.size \"%s\" is not a 32-bit number", line_of(val),
                name, f.size);
        return LAYOUT_EPARSE;
    }
    if (f.end_address && parse_u32(f.end_address, &end)) {
        set_err(err, err_len, "line %lu: %s.end_address \"%s\" is not a 32-bit number",
                line_of(val), name, f.end_address);
        return LAYOUT_EPARSE;
    }
    if (!f.size && !f.end_address) {
        set_err(err, err_len, "line %lu: partition %s has neither size nor end_address",
                line_of(val), name);
        return LAYOUT_EPARSE;
    }
    if (f.end_address) {
        if (end < addr) {
            set_err(err, err_len, "line %lu: %s ends (0x%x) before it starts (0x%x)",
                    line_of(val), name, (unsigned)end, (unsigned)addr);
            return LAYOUT_EPARSE;
        }
        if (f.size && end - addr != size) {
            set_err(err, err_len,
                    "line %lu: %s: size 0x%x disagrees with address 0x%x .. end_address 0x%x",
                    line_of(val), name, (unsigned)size, (unsigned)addr, (unsigned)end);
            return LAYOUT_EPARSE;
        }
        size = end - addr;
    }
    if (layout_find(lo, name) >= 0) {
        set_err(err, err_len, "line %lu: partition %s is defined twice", line_of(val), name);
        return LAYOUT_EPARSE;
    }
    rc = layout_add_area(lo, name, addr, size, f.span);
    if (rc) {
        set_err(err, err_len, "line %lu: partition %s: more than %d partitions or name too long",
                line_of(val), name, LAYOUT_MAX_AREAS);
    }
    return rc;
}

static int walk(yaml_document_t *doc, struct layout *lo, char *err, size_t err_len)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) {
        set_err(err, err_len, "the file holds no partitions");
        return LAYOUT_EPARSE;
    }
    if (root->type != YAML_MAPPING_NODE) {
        set_err(err, err_len, "line %lu: the top level must map partition names to fields",
                line_of(root));
        return LAYOUT_EPARSE;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *name = scalar(k);
        if (!name || !v) {
            set_err(err, err_len, "line %lu: a partition name must be a plain string",
                    k ? line_of(k) : 1ul);
            return LAYOUT_EPARSE;
        }
        int rc = add_partition(doc, lo, name, v, err, err_len);
        if (rc) {
            return rc;
        }
    }
    return LAYOUT_OK;
}

int pm_static_parse(const char *text, size_t len, const struct layout_geometry *geo,
                    struct layout *out, char *err, size_t err_len)
{
    if (!text || !out) {
        return LAYOUT_EINVAL;
    }
    struct layout_geometry def = layout_geometry_nrf52840();
    int rc = layout_init(out, "pm_static", geo ? geo : &def);
    if (rc) {
        set_err(err, err_len, "invalid flash geometry");
        return rc;
    }

    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        set_err(err, err_len, "YAML parser could not be set up");
        return LAYOUT_EINVAL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        set_err(err, err_len, "bad YAML at line %lu: %s",
                (unsigned long)parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "unknown problem");
        yaml_parser_delete(&parser);
        return LAYOUT_EPARSE;
    }
    rc = walk(&doc, out, err, err_len);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc) {
        return rc;
    }
    return layout_finish(out, err, err_len);
}

int pm_static_load(const char *path, const struct layout_geometry *geo, struct layout *out,
                   char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, err_len, "%s: %s", path, strerror(errno));
        return LAYOUT_EIO;
    }
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    int rc = LAYOUT_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            /* Partition maps are a few KiB; refuse anything absurd. */
            if (ncap > (1u << 20)) {
                set_err(err, err_len, "%s: larger than 1 MiB, not a partition map", path);
                rc = LAYOUT_EPARSE;
                break;
            }
            char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                set_err(err, err_len, "%s: out of memory", path);
                rc = LAYOUT_EIO;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                set_err(err, err_len, "%s: read error", path);
                rc = LAYOUT_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc == LAYOUT_OK) {
        rc = pm_static_parse(buf ? buf : "", len, geo, out, err, err_len);
    }
    free(buf);
    return rc;
}
