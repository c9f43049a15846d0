#!/bin/sh
# The behaviour marker smpdfu-image writes into a payload decides what the
# simulated application does after boot: confirm itself, run unconfirmed,
# or fail to start.
. "$SRC/tests/system/device_lib.sh"

TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
KEY="$VECTORS/images/keys/ed25519.pem"

# A test-pending image as it lands in the primary slot after a swap: the
# trailer magic is there, image_ok is not.
make_image() { # make_image BEHAVIOUR OUT
    "$TOOL" app-payload -b "$1" -n 8192 --reset 0x20001 "$WORK/$1.bin" &&
        "$TOOL" sign -k "$KEY" -v 1.0.0 -H 0x200 --pad-header --align 4 -S 0x79000 --pad \
            "$WORK/$1.bin" "$2"
}

# image_ok of the primary slot (nrf52840-mcuboot: 0xc000, 0x79000 bytes) as
# dumpinfo reads it from the flash file.
primary_image_ok() { # primary_image_ok FLASH
    dd if="$1" of="$WORK/primary.bin" bs=4096 skip=12 count=121 2>/dev/null &&
        "$TOOL" dumpinfo --json "$WORK/primary.bin" | sed -n 's/.*"image_ok":[^0-9]*\([0-9]*\).*/\1/p'
}

for b in confirm no-confirm fail; do
    check "sign a '$b' application" make_image "$b" "$WORK/$b.signed"
done

start_device --flash "$WORK/f1.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$WORK/confirm.signed" --trust-key "$KEY" ||
    { not_ok "device starts"; finish; exit 1; }
check "confirm: the application confirms itself" grep -q 'confirmed itself' "$DEV_LOG"
udp "$WORK/l1" req 0 1 0
check "confirm: image list says confirmed" has "$WORK/l1" '"active":true'
check "confirm: confirmed true" has "$WORK/l1" '"confirmed":true'
stop_device
check "confirm: image_ok written in the primary trailer" test "$(primary_image_ok "$WORK/f1.bin")" = 1

start_device --flash "$WORK/f2.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$WORK/no-confirm.signed" --trust-key "$KEY" ||
    { not_ok "device starts"; finish; exit 1; }
check "no-confirm: runs without confirming" grep -q 'not confirming itself (marker "no-confirm")' "$DEV_LOG"
check "no-confirm: image_ok still unset" test "$(primary_image_ok "$WORK/f2.bin")" = 255
udp "$WORK/c2" req 2 1 0 '{"confirm":true}'
check "no-confirm: confirming over SMP is answered" grep -qE '^body \{"images":' "$WORK/c2"
stop_device

start_device --flash "$WORK/f3.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$WORK/fail.signed" --trust-key "$KEY" ||
    { not_ok "device starts"; finish; exit 1; }
check "fail: the application does not start" grep -q 'failed to start' "$DEV_LOG"
udp "$WORK/l3" --timeout-ms 300 req 0 0 6
check "fail: nothing answers SMP" grep -q '^timeout$' "$WORK/l3"

finish
