#!/bin/sh
# smpdfu over the timed BLE link model: commands, an upload cut into ATT
# writes and reassembled by the device, a whole application upgrade across
# the reset that drops the connection, and an MCUboot upgrade behind the
# first stage (dfu_mcuboot.zip), which takes two reboots.
. "$SRC/tests/system/client_lib.sh"
. "$SRC/tests/system/b0_lib.sh"

check "sign v1" make_app no-confirm 1.0.0 0x79000 "$WORK/v1.bin" 16384
check "sign v2" make_app confirm 2.0.0 0x79000 "$WORK/v2.bin" 24576

SOCK="$WORK/ble.sock"
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --blesim "$SOCK" \
    --install "mcuboot_primary=$WORK/v1.bin" --trust-key "$KEY_PUB" ||
    { not_ok "device starts on blesim"; finish; exit 1; }
ok "device starts on blesim"
check "socket announced" grep -q "^listening blesim $SOCK\$" "$DEV_OUT"

# A fast link (2M PHY, 7.5 ms) keeps the test short; the model still paces it.
CONN="blesim:$SOCK,interval=7.5,phy=2M,mtu=247,dle=251,ppe=6"
ble() { # ble OUTFILE ARGS...
    out=$1
    shift
    "$SMPDFU" -c "$CONN" "$@" >"$out" 2>&1
}
ble "$WORK/e" echo "over the air"
check "echo over BLE" grep -q "over the air" "$WORK/e"
ble "$WORK/l" image list
check "image list over BLE" grep -q "version: 1.0.0" "$WORK/l"

ble "$WORK/u" upgrade "$WORK/v2.bin"
check "application upgrade over BLE exits 0" test $? -eq 0
check "application upgrade over BLE: v2 runs, confirmed" \
    grep -q "image 0 runs 2.0.0 (confirmed)" "$WORK/u"
check "the reset dropped the connection and the client came back" \
    test "$(grep -c 'Starting bootloader' "$DEV_LOG")" -eq 2
check "the loader swapped" grep -q 'Swap type: test' "$DEV_LOG"
stop_device

# MCUboot behind the first stage, over BLE.
check "bootloader release 1" make_b0 1 "$WORK/r1"
check "bootloader release 2" make_b0 2 "$WORK/r2"
check "application for the first-stage layout" make_b0_app "$WORK/app.bin"
start_device --flash "$WORK/b0flash.bin" --layout nrf52840 --blesim "$SOCK" \
    --b0-key "$B0_KEY" --trust-key "$KEY_PUB" \
    --install "s0=$WORK/r1/signed_by_b0_mcuboot.bin" --install "mcuboot_primary=$WORK/app.bin" ||
    { not_ok "first-stage device starts on blesim"; finish; exit 1; }
ok "first-stage device starts on blesim"
ble "$WORK/b" upgrade "$WORK/r2/dfu_mcuboot.zip"
check "MCUboot upgrade over BLE exits 0" test $? -eq 0
check "MCUboot upgrade over BLE: the S1 variant was sent" \
    has "$WORK/b" "sending the S1 variant"
check "MCUboot upgrade over BLE: the first stage switched" \
    has "$WORK/b" "now boots MCUboot from S1 (was S0)"
check "MCUboot upgrade over BLE: version 2 boots from S1" \
    has "$DEV_LOG" "b0: booting S1 (fw_info version 2"

finish
