/*
 * The command line of `sign`, imgtool's options and spellings, parsed into
 * struct sign_opts. Shared by smpdfu-image and the tests that replay
 * imgtool's own command lines.
 */
#ifndef SMPDFU_IMAGETOOL_SIGN_ARGS_H
#define SMPDFU_IMAGETOOL_SIGN_ARGS_H

#include <stddef.h>

#include "imagetool/image_sign.h"

struct sign_args {
    struct sign_opts opts;  /* opts.key is left NULL: the caller loads key_path */
    const char *key_path;   /* -k, or NULL for an unsigned image */
    const char *in_path;
    const char *out_path;
};

/*
 * argv[0] is the verb ("sign"). 0 on success; -1 with one line in err when
 * an option is unknown, malformed or missing.
 */
int sign_args_parse(int argc, char **argv, struct sign_args *a, char *err, size_t err_len);

#endif
