#!/bin/sh
# Replays the request frames of a field report (nRF Connect for Mobile
# against an NCS 1.9.1 device) to smpdfu-device over UDP and checks what a
# current server must answer.
. "$SRC/tests/system/device_lib.sh"

FRAMES="$VECTORS/frames/field-report-ncs191.txt"
IMG="$VECTORS/images/signed/ed25519-basic.bin"
HASH=a0e505d4bba4e0a5dbfd1f3a00d0ce8426777cdc006050ef7bec4cfbfc53a7e7

frame() {
    awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$FRAMES"
}

start_device --flash "$WORK/flash.bin" --layout nrf52840 --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$IMG" --trust-key "$VECTORS/images/keys/ed25519.pub.pem" ||
    { not_ok "device starts"; finish; exit 1; }
ok "device starts"

check "all four request frames are in the report" \
    test "$(grep -c '_req	' "$FRAMES")" -eq 4

udp "$WORK/params" hex "$(frame os_params_req)"
check "params: response to seq 255, group 0, id 6" has "$WORK/params" "hdr op=1 ver=0 flags=0"
check "params: seq and ids echoed" grep -qE 'group=0 seq=255 id=6$' "$WORK/params"
check "params: buf_size and buf_count" \
    grep -qE '^body \{"buf_size":[1-9][0-9]*,"buf_count":[1-9][0-9]*\}$' "$WORK/params"

udp "$WORK/list" hex "$(frame img_state_read_req)"
check "list: one image in slot 0 with the installed hash" \
    has "$WORK/list" "\"slot\":0,\"version\":\"1.2.3.4\",\"hash\":{\"hex\":\"$HASH\"}"
# The report's response has these keys in this order; ours must too.
want=$(awk -F '\t' '$1 == "img_state_read_rsp" { print $4 }' "$FRAMES" |
    grep -oE '"[a-zA-Z]+":' | grep -v '"hex":' | tr -d '\n')
got=$(sed -n 's/^body //p' "$WORK/list" | grep -oE '"[a-zA-Z]+":' | grep -v '"hex":' | tr -d '\n')
check "list: same shape as the report ($want)" test "$want" = "$got"
check "list: running image bootable, confirmed, active" \
    has "$WORK/list" '"bootable":true,"pending":false,"confirmed":true,"active":true,"permanent":false'

udp "$WORK/erase" hex "$(frame basic_erase_req)"
check "storage erase: success" grep -qE '^body \{("rc":0)?\}$' "$WORK/erase"
check "storage erase: write response, group 63, seq 105" \
    grep -qE '^hdr op=3 ver=0 flags=0 len=[0-9]+ group=63 seq=105 id=0$' "$WORK/erase"
check "storage erase: logged" grep -q 'storage' "$DEV_LOG"

req=$(frame img_state_write_req)
udp "$WORK/write1" hex "$req"
check "state write, unknown hash, v1: rc 3" grep -qE '^body \{"rc":3\}$' "$WORK/write1"

# Same request as SMP v2: version bits (4:3) of byte 0 set to 1.
req2="0a${req#02}"
udp "$WORK/write2" hex "$req2"
check "state write, unknown hash, v2: answered as v2" grep -qE '^hdr op=3 ver=1 ' "$WORK/write2"
check "state write, unknown hash, v2: err group 1 rc 8 (HASH_NOT_FOUND)" \
    grep -qE '^body \{"err":\{"group":1,"rc":8\}\}$' "$WORK/write2"

udp "$WORK/list2" hex "$(frame img_state_read_req)"
check "nothing changed by the refused writes" has "$WORK/list2" "$HASH"

finish
