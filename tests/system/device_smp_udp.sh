#!/bin/sh
# Every command of the OS, IMG and Zephyr-basic groups, and their error
# paths, once each against smpdfu-device over UDP (the server's unit tests
# cover the details).
. "$SRC/tests/system/device_lib.sh"

IMG="$VECTORS/images/signed/ed25519-basic.bin"
HASH=a0e505d4bba4e0a5dbfd1f3a00d0ce8426777cdc006050ef7bec4cfbfc53a7e7
NEW="$VECTORS/images/signed/ecdsa-p256-100k-auto.bin"
NEW_HASH=e37a4d2ba762eb4c3e16de63279daff7c1d3bc797850d74708452a7901b79201

start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$IMG" ||
    { not_ok "device starts"; finish; exit 1; }
ok "device starts"

body() { # body FILE REGEX: the decoded body matches REGEX (extended)
    grep -qE "^body $2\$" "$1"
}

# ---- OS group 0 -------------------------------------------------------------
udp "$WORK/o" req 2 0 0 '{"d":"hello"}'
check "os echo (write)" body "$WORK/o" '\{"r":"hello"\}'
udp "$WORK/o" --seq 77 req 0 0 0 '{"d":"read"}'
check "os echo (read), seq echoed" grep -qE '^hdr op=1 .* group=0 seq=77 id=0$' "$WORK/o"
udp "$WORK/o" req 2 0 0 '{"d":5}'
check "os echo with a number: rc 3" body "$WORK/o" '\{"rc":3\}'
udp "$WORK/o" req 0 0 6
check "os params" body "$WORK/o" '\{"buf_size":[1-9][0-9]*,"buf_count":[1-9][0-9]*\}'
udp "$WORK/o" req 2 0 4 '{"datetime":"2026-11-24T10:11:12"}'
check "os datetime set" body "$WORK/o" '\{\}'
udp "$WORK/o" req 0 0 4
check "os datetime get" body "$WORK/o" '\{"datetime":"2026-11-24T10:1[0-9]:[0-9]{2}(\.[0-9]+)?"\}'
udp "$WORK/o" req 2 0 4 '{"datetime":"2026-13-24T10:11:12"}'
check "os datetime set, month 13: rc 3" body "$WORK/o" '\{"rc":3\}'
udp "$WORK/o" req 0 0 8
check "os bootloader info" body "$WORK/o" '\{"bootloader":"MCUboot"\}'
udp "$WORK/o" req 0 0 8 '{"query":"mode"}'
check "os bootloader mode" body "$WORK/o" '\{"mode":[0-9]+(,"no-downgrade":true)?\}'
udp "$WORK/o" req 0 0 99
check "os unknown command: rc 8" body "$WORK/o" '\{"rc":8\}'

# ---- IMG group 1 ------------------------------------------------------------
udp "$WORK/i" req 0 1 0
check "img state read: installed image" \
    has "$WORK/i" "{\"slot\":0,\"version\":\"1.2.3.4\",\"hash\":{\"hex\":\"$HASH\"}"
udp "$WORK/i" req 2 1 1 '{"data":{"hex":"00"}}'
check "img upload without off: rc 3" body "$WORK/i" '\{"rc":3\}'
udp "$WORK/i" --v2 req 2 1 1 '{"off":0,"len":64,"data":{"hex":"00000000000000000000000000000000000000000000000000000000000000000000000000000000"}}'
check "img upload, bad magic (v2): err 1/23" body "$WORK/i" '\{"err":\{"group":1,"rc":23\}\}'
udp "$WORK/i" upload "$NEW" 0 512
check "img upload" has "$WORK/i" "upload done $(wc -c <"$NEW")"
check "img upload: match" grep -qE '^body .*"match":true' "$WORK/i"
udp "$WORK/i" req 2 1 0 "{\"hash\":{\"hex\":\"$NEW_HASH\"},\"confirm\":false}"
check "img state write: test the new image" \
    has "$WORK/i" "\"slot\":1,\"version\":\"5.6.7.8\",\"hash\":{\"hex\":\"$NEW_HASH\"},\"bootable\":true,\"pending\":true"
udp "$WORK/i" --v2 req 2 1 5 '{"slot":1}'
check "img erase of a pending slot (v2): err 1/9" body "$WORK/i" '\{"err":\{"group":1,"rc":9\}\}'
udp "$WORK/i" req 0 1 6
check "img slot info" grep -qE '^body \{"images":\[\{"image":0,"slots":\[\{"slot":0,"size":495616' "$WORK/i"
udp "$WORK/i" req 0 1 3
check "img corelist: rc 8" body "$WORK/i" '\{"rc":8\}'

# ---- Zephyr basic group 63 --------------------------------------------------
udp "$WORK/b" req 2 63 0
check "basic erase storage" body "$WORK/b" '\{\}'
udp "$WORK/b" req 2 63 1
check "basic unknown command: rc 8" body "$WORK/b" '\{"rc":8\}'

# ---- dispatch -----------------------------------------------------------------
udp "$WORK/d" req 0 9 0
check "unknown group: rc 8" body "$WORK/d" '\{"rc":8\}'
udp "$WORK/d" hex 0000000a00000001bf
check "header longer than the datagram: rc 9" body "$WORK/d" '\{"rc":9\}'

finish
