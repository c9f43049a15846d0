/*
 * Writes a synthetic application payload with a behaviour marker, for the
 * system tests to sign: app_payload confirm|no-confirm|fail SIZE OUT [RESET]
 * (with RESET, a vector table whose reset vector is RESET starts it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/app_marker.h"

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: app_payload confirm|no-confirm|fail SIZE OUT [RESET]\n");
        return 2;
    }
    struct app_payload_opts o = { 0 };
    if (app_behaviour_from_name(argv[1], &o.behaviour) != 0) {
        fprintf(stderr, "app_payload: unknown behaviour %s\n", argv[1]);
        return 2;
    }
    size_t size = strtoul(argv[2], NULL, 0);
    if (argc == 5) {
        o.vector_table = true;
        o.initial_sp = 0x20040000u;
        o.reset_vector = (unsigned)strtoul(argv[4], NULL, 0);
    }
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf || app_payload_write(buf, size, &o) != 0) {
        fprintf(stderr, "app_payload: size %zu too small for the marker\n", size);
        free(buf);
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    int rc = !f || fwrite(buf, 1, size, f) != size;
    if (f && fclose(f) != 0) {
        rc = 1;
    }
    free(buf);
    if (rc) {
        perror(argv[3]);
    }
    return rc;
}
