/*
 * `dumpinfo`: everything an image file says about itself -- header, both
 * TLV areas and, for an image padded to its slot, the trailer -- as the
 * JSON imgtool's `dumpinfo -f json` prints, or as text for people.
 */
#ifndef SMPDFU_IMAGETOOL_IMAGE_DUMP_H
#define SMPDFU_IMAGETOOL_IMAGE_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

/* The image's description, or NULL with the IMAGE_E* reason in *reason. */
cJSON *image_dump_json(const uint8_t *img, size_t len, const char *filename, int *reason);

/* The same description as indented text. */
void image_dump_text(FILE *out, const cJSON *info);

/* imgtool's name of a TLV type ("SHA256", "ECDSASIG", ...), or NULL. */
const char *image_tlv_type_name(uint16_t type);

#endif
