#!/bin/sh
# smpdfu's single commands against smpdfu-device over UDP and the serial
# pty: the Go-mcumgr text layouts, --json lines, SMP error names and
# hints, connection strings, Go-style options and profiles.
. "$SRC/tests/system/client_lib.sh"

RUNNING="$VECTORS/images/signed/ed25519-basic.bin"
NEW="$VECTORS/images/signed/ecdsa-p256-100k-auto.bin"
NEW_HASH=e37a4d2ba762eb4c3e16de63279daff7c1d3bc797850d74708452a7901b79201
RUN_HASH=a0e505d4bba4e0a5dbfd1f3a00d0ce8426777cdc006050ef7bec4cfbfc53a7e7

start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 --serial pty \
    --install "mcuboot_primary=$RUNNING" --trust-key "$KEY_PUB" \
    --trust-key "$VECTORS/images/keys/ecdsa-p256.pub.pem" ||
    { not_ok "device starts"; finish; exit 1; }

smp "$WORK/echo" echo "hello there"
check "echo prints the device's answer" test "$(cat "$WORK/echo")" = "hello there"

smp "$WORK/params" params
check "params: buf_size" has "$WORK/params" "buf_size: 2048"
check "params: buf_count" has "$WORK/params" "buf_count: 4"

smp "$WORK/info" info
check "info: bootloader name" has "$WORK/info" "bootloader: MCUboot"
check "info: bootloader mode (swap using move = 3)" has "$WORK/info" "mode: 3"
check "info: OS info line" grep -q '^os: Zephyr' "$WORK/info"

smp "$WORK/list" image list
cat >"$WORK/list.want" <<EOT
Images:
 image=0 slot=0
    version: 1.2.3.4
    bootable: true
    flags: active confirmed
    hash: $RUN_HASH
Split status: N/A (0)
EOT
check "image list in Go mcumgr's layout" cmp -s "$WORK/list" "$WORK/list.want"

"$SMPDFU" --json -c "udp:$UDP" image list >"$WORK/list.json" 2>&1
check "image list --json is one JSON line" test "$(wc -l <"$WORK/list.json")" -eq 1
check "image list --json parses" json_ok "$WORK/list.json"
check "image list --json: command and ok" \
    test "$(json_get "$WORK/list.json" 'j["command"], j["ok"]')" = "('image list', True)"
check "image list --json: hash and flags of slot 0" \
    test "$(json_get "$WORK/list.json" '[(i["slot"], i["hash"], i["active"], i["confirmed"]) for i in j["images"]]')" \
    = "[(0, '$RUN_HASH', True, True)]"

smp "$WORK/slots" image slots
check "image slots: both slots with sizes" has "$WORK/slots" "slot 1: 495616 bytes"

smp "$WORK/up" image upload "$NEW"
check "image upload: the device's hash matches" has "$WORK/up" "match: true"
check "image upload: plain progress lines off a terminal" grep -q '^upload: 103113 / 103113 bytes (100%)' "$WORK/up"
# On a terminal the progress is a bar redrawn in place.
"$SMPDFU" -c "udp:$UDP" image erase >/dev/null 2>&1
script -qec "\"$SMPDFU\" -c udp:$UDP image upload \"$NEW\"" /dev/null >"$WORK/tty" 2>&1
check "terminal: progress bar with rate and ETA" \
    grep -qE '100.7 KiB / 100.7 KiB \[=+\] 100% +[0-9.]+ kB/s ETA' "$WORK/tty"
check "terminal: bar redrawn with carriage returns" grep -q "$(printf '\r')" "$WORK/tty"
smp_ser "$WORK/list2" image list
check "image list over serial shows the upload in slot 1" has "$WORK/list2" "hash: $NEW_HASH"

smp "$WORK/slot0" image upload "$NEW" --slot 0
check "upload to the running slot: refused before sending" \
    has "$WORK/slot0" "the device offers no slot 0 of image 0 for upload"
smp "$WORK/slot1" image upload "$NEW" --slot 1
check "upload to slot 1 by number" has "$WORK/slot1" "match: true"

smp "$WORK/test" image test "$NEW_HASH"
check "image test marks slot 1 pending" grep -q 'flags: pending$' "$WORK/test"

smp "$WORK/erase" image erase
check "image erase of a pending slot is refused" test $? -ne 0
check "refusal printed as group/NAME (rc N): hint" \
    grep -qE '^Error: image/IMG_MGMT_ERR_[A-Z_]+ \(rc [0-9]+\): .+' "$WORK/erase"

smp "$WORK/bad" image test 0000000000000000000000000000000000000000000000000000000000000001
check "unknown hash: exit status 1" test $? -eq 1
check "unknown hash: v2 name and hint" \
    grep -q '^Error: image/IMG_MGMT_ERR_HASH_NOT_FOUND (rc 8): no slot holds an image with this hash' "$WORK/bad"
"$SMPDFU" --json -c "udp:$UDP" image test 0000000000000000000000000000000000000000000000000000000000000001 \
    >"$WORK/bad.json" 2>&1
check "error --json: stable keys" \
    test "$(json_get "$WORK/bad.json" '(j["ok"], j["error"]["group"], j["error"]["name"], j["error"]["rc"])')" \
    = "(False, 'image', 'IMG_MGMT_ERR_HASH_NOT_FOUND', 8)"

smp "$WORK/notahash" image test xyz
check "a malformed hash is a usage error (2)" test $? -eq 2

smp "$WORK/storage" storage erase
check "storage erase answered" has "$WORK/storage" "Done"

DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/no-bus" "$SMPDFU" -c ble:my-device echo x >"$WORK/ble" 2>&1
check "ble without BlueZ: fails" test $? -ne 0
check "ble without BlueZ: says which device and what to check" \
    grep -q '^Error: ble my-device: .*is bluetoothd running' "$WORK/ble"

"$SMPDFU" --conntype udp --connstring "$UDP" echo go-style >"$WORK/go" 2>&1
check "--conntype/--connstring" test "$(cat "$WORK/go")" = "go-style"
"$SMPDFU" --conntype serial --connstring "dev=$PTY,baud=115200,mtu=512" echo go-serial >"$WORK/gos" 2>&1
check "--conntype serial with Go keys" test "$(cat "$WORK/gos")" = "go-serial"

export SMPDFU_CONNECTIONS="$WORK/connections"
"$SMPDFU" conn add bench "udp:$UDP" >"$WORK/ca" 2>&1
check "conn add" test $? -eq 0
"$SMPDFU" conn add bad "tcp:1.2.3.4" >"$WORK/cb" 2>&1
check "conn add refuses a bad connection" test $? -ne 0
"$SMPDFU" conn list >"$WORK/cl" 2>&1
check "conn list" has "$WORK/cl" "bench udp:$UDP"
"$SMPDFU" -c bench echo via-profile >"$WORK/cp" 2>&1
check "-c PROFILE" test "$(cat "$WORK/cp")" = "via-profile"
"$SMPDFU" conn delete bench >/dev/null 2>&1
"$SMPDFU" -c bench echo x >"$WORK/cd" 2>&1
check "deleted profile is gone" has "$WORK/cd" 'no connection profile named "bench"'

smp "$WORK/reset" reset --force
check "reset --force answered" has "$WORK/reset" "Done"
check "device took the forced reset" wait_for "$DEV_LOG" 'smp: os: forced reset requested'

stop_device
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 ||
    { not_ok "device restarts"; finish; exit 1; }
PORT=${UDP##*:}
stop_device
"$SMPDFU" -t 0.2 -r 2 -c "udp:127.0.0.1:$PORT" echo x >"$WORK/gone" 2>&1
check "no device: timeout error with advice" has "$WORK/gone" "no answer from the device"

finish
