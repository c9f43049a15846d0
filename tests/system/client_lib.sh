# Helpers for the smpdfu client system tests (sourced after device_lib.sh's
# variables are needed: it sources it). Sets SMPDFU, TOOL, KEY.
. "$SRC/tests/system/device_lib.sh"

SMPDFU="$BUILD/tools/smpdfu/smpdfu"
TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
KEY="$VECTORS/images/keys/ed25519.pem"
KEY_PUB="$VECTORS/images/keys/ed25519.pub.pem"

# make_app BEHAVIOUR VERSION SLOT_SIZE OUT [SIZE [KEY]]: a signed synthetic
# application that confirms itself, does not, or fails to start.
make_app() {
    "$TOOL" app-payload -b "$1" -n "${5:-8192}" --reset 0x20001 "$WORK/payload.$$" &&
        "$TOOL" sign -k "${6:-$KEY}" -v "$2" -H 0x200 --pad-header --align 4 -S "$3" \
            "$WORK/payload.$$" "$4"
}

# image_hash IMAGE: the hash TLV as image list shows it.
image_hash() {
    "$TOOL" dumpinfo --json "$1" | python3 -c 'import json,sys
d = json.load(sys.stdin)
print([t["data"] for t in d["tlv_area"]["tlvs"] if t["type_name"].startswith("SHA")][0])'
}

# smp OUTFILE ARGS...: smpdfu over UDP to the running device.
smp() {
    out=$1
    shift
    "$SMPDFU" -c "udp:$UDP" "$@" >"$out" 2>&1
}

# smp_ser OUTFILE ARGS...: the same over the device's pty.
smp_ser() {
    out=$1
    shift
    "$SMPDFU" -c "serial:$PTY" "$@" >"$out" 2>&1
}

# json_ok FILE: every line of FILE is a JSON object (python's parser).
json_ok() {
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    assert isinstance(json.loads(l), dict)' "$1"
}

# json_get FILE EXPR: evaluates EXPR on the last JSON line (as `j`).
json_get() {
    python3 -c 'import json,sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(eval(sys.argv[2]))' "$1" "$2"
}

# slot_field IMAGE SLOT KEY: KEY of (IMAGE, SLOT) in the device's image list
# ("none" when the slot is empty).
slot_field() {
    "$SMPDFU" --json -c "udp:$UDP" image list >"$WORK/slot_field.json" 2>&1 &&
        json_get "$WORK/slot_field.json" \
            "([i.get('$3') for i in j['images'] if i.get('image', 0) == $1 and i['slot'] == $2] + ['none'])[0]"
}
