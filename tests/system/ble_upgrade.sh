#!/bin/sh
# smpdfu over the timed BLE link model: commands, an upload cut into ATT
# writes and reassembled by the device, and a whole upgrade across the
# reset that drops the connection.
. "$SRC/tests/system/device_lib.sh"

TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
SMPDFU="$BUILD/tools/smpdfu/smpdfu"
KEY="$VECTORS/images/keys/ed25519.pem"

sign() { # sign BEHAVIOUR VERSION SIZE OUT
    "$TOOL" app-payload -b "$1" -n "$3" "$WORK/p.bin" &&
        "$TOOL" sign -k "$KEY" -v "$2" -H 0x200 --pad-header --align 4 -S 0x79000 "$WORK/p.bin" "$4"
}
check "sign v1" sign no-confirm 1.0.0 16384 "$WORK/v1.bin"
check "sign v2" sign confirm 2.0.0 24576 "$WORK/v2.bin"

SOCK="$WORK/ble.sock"
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --blesim "$SOCK" \
    --install "mcuboot_primary=$WORK/v1.bin" --trust-key "$KEY" ||
    { not_ok "device starts on blesim"; finish; exit 1; }
ok "device starts on blesim"
check "socket announced" grep -q "^listening blesim $SOCK\$" "$DEV_OUT"

# A fast link (2M PHY, 7.5 ms) keeps the test short; the model still paces it.
CONN="blesim:$SOCK,interval=7.5,phy=2M,mtu=247,dle=251,ppe=6"
"$SMPDFU" -c "$CONN" echo "over the air" >"$WORK/e" 2>&1
check "echo over BLE" grep -q "over the air" "$WORK/e"
"$SMPDFU" -c "$CONN" image list >"$WORK/l" 2>&1
check "image list over BLE" grep -q "version: 1.0.0" "$WORK/l"

"$SMPDFU" -c "$CONN" upgrade "$WORK/v2.bin" >"$WORK/u" 2>&1
rc=$?
check "upgrade over BLE exits 0" test $rc -eq 0
check "upgrade over BLE: v2 runs, confirmed" grep -q "image 0 runs 2.0.0 (confirmed)" "$WORK/u"
check "the reset dropped the connection and the client came back" \
    test "$(grep -c 'Starting bootloader' "$DEV_LOG")" -eq 2
check "the loader swapped" grep -q 'Swap type: test' "$DEV_LOG"
[ $rc -eq 0 ] || cat "$WORK/u"

finish
