#!/bin/sh
# smpdfu -c ble: and smpdfu-device --ble talking to each other through
# BlueZ's D-Bus API: a private bus daemon, bluez_bridge playing bluetoothd
# (the peripheral's GATT application and advertisement on one side, a
# discovered remote device mirroring them on the other), commands, and a
# whole upgrade across the reset that drops the link.
. "$SRC/tests/system/device_lib.sh"

TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
SMPDFU="$BUILD/tools/smpdfu/smpdfu"
BRIDGE="$BUILD/tests/system/bluez_bridge"
KEY="$VECTORS/images/keys/ed25519.pem"
BUS_PID=
BRIDGE_PID=

BRIDGE_RC=
stop_bridge() {
    if [ -n "$BRIDGE_PID" ]; then
        kill "$BRIDGE_PID" 2>/dev/null
        wait "$BRIDGE_PID" 2>/dev/null
        BRIDGE_RC=$?
        BRIDGE_PID=
    fi
}

stop_bus() {
    if [ -n "$BUS_PID" ]; then
        kill "$BUS_PID" 2>/dev/null
        wait "$BUS_PID" 2>/dev/null
        BUS_PID=
    fi
}

# The device leaves the bridge before the bridge leaves the bus.
ble_cleanup() {
    stop_device
    stop_bridge
    stop_bus
    cleanup
}
trap ble_cleanup EXIT INT TERM

# wait_file FILE PATTERN: like wait_for, for a process other than the device.
wait_file() {
    i=0
    while [ $i -lt 200 ]; do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        i=$((i + 1))
        sleep 0.05
    done
    return 1
}

sign() { # sign BEHAVIOUR VERSION SIZE OUT
    "$TOOL" app-payload -b "$1" -n "$3" "$WORK/p.bin" &&
        "$TOOL" sign -k "$KEY" -v "$2" -H 0x200 --pad-header --align 4 -S 0x79000 "$WORK/p.bin" "$4"
}
check "sign v1" sign no-confirm 1.0.0 16384 "$WORK/v1.bin"
check "sign v2" sign confirm 2.0.0 24576 "$WORK/v2.bin"

# A bus of our own; both transports use the system bus, named here.
dbus-daemon --session --nofork --print-address >"$WORK/bus.addr" 2>"$WORK/bus.err" &
BUS_PID=$!
wait_file "$WORK/bus.addr" '^unix:' ||
    { not_ok "private bus starts"; cat "$WORK/bus.err"; finish; exit 1; }
DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$WORK/bus.addr")
DBUS_SESSION_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS
export DBUS_SYSTEM_BUS_ADDRESS DBUS_SESSION_BUS_ADDRESS

# MTU 185: a packet's pieces are not a multiple of anything round.
"$BRIDGE" --mtu 185 >"$WORK/bridge.out" 2>"$WORK/bridge.log" &
BRIDGE_PID=$!
wait_file "$WORK/bridge.out" '^bluez bridge on ' ||
    { not_ok "bridge owns org.bluez"; cat "$WORK/bridge.log"; finish; exit 1; }
ok "bridge owns org.bluez"

start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --ble smpdfu-dut \
    --install "mcuboot_primary=$WORK/v1.bin" --trust-key "$KEY" ||
    { not_ok "device registers with BlueZ"; cat "$WORK/bridge.log"; finish; exit 1; }
ok "device registers with BlueZ"
check "device announces its name" grep -q '^listening ble smpdfu-dut$' "$DEV_OUT"
check "bridge accepted the GATT application" has "$WORK/bridge.log" "application /org/smpdfu"
check "bridge accepted the advertisement" has "$WORK/bridge.log" '"smpdfu-dut"'

"$SMPDFU" -c ble:smpdfu-dut echo "through bluez" >"$WORK/e" 2>&1
check "echo over BlueZ" grep -q "through bluez" "$WORK/e"
check "found by discovery" has "$WORK/bridge.log" 'found'
"$SMPDFU" -c ble:smpdfu-dut image list >"$WORK/l" 2>&1
check "image list over BlueZ" grep -q "version: 1.0.0" "$WORK/l"
# The bridge's remote device has a fixed address; BlueZ spells it in capitals.
"$SMPDFU" -c ble:e4:5f:01:5a:3c:02 echo "by address" >"$WORK/a" 2>&1
check "echo to the device by its address" grep -q "by address" "$WORK/a"

"$SMPDFU" -c ble:smpdfu-dut upgrade "$WORK/v2.bin" >"$WORK/u" 2>&1
rc=$?
check "upgrade over BlueZ exits 0" test $rc -eq 0
check "upgrade over BlueZ: v2 runs, confirmed" grep -q "image 0 runs 2.0.0 (confirmed)" "$WORK/u"
check "the loader swapped" grep -q 'Swap type: test' "$DEV_LOG"
check "the device booted twice" test "$(grep -c 'Starting bootloader' "$DEV_LOG")" -eq 2
check "the peripheral's reset dropped the link" has "$WORK/bridge.log" "disconnected by the peripheral"
[ $rc -eq 0 ] || { cat "$WORK/u"; cat "$WORK/bridge.log"; }

"$SMPDFU" -c ble:smpdfu-dut image list >"$WORK/l2" 2>&1
check "after the upgrade image list shows 2.0.0" grep -q "version: 2.0.0" "$WORK/l2"

check "the device sent every reply" sh -c '! grep -q "reply not sent" "$1"' sh "$DEV_LOG"
check "the bridge refused nothing" sh -c '! grep -q "refused" "$1"' sh "$WORK/bridge.log"

# The device unregisters as it stops; the bridge then reports its counts.
stop_device
check "device unregistered its application" has "$WORK/bridge.log" "application /org/smpdfu unregistered"
stop_bridge
check "the bridge exits cleanly" test "$BRIDGE_RC" -eq 0
summary=$(sed -n 's/^bluez_bridge: writes/writes/p' "$WORK/bridge.log")
echo "# bridge: $summary"
count() { echo "$summary" | sed -n "s/.*$1 \([0-9]*\).*/\1/p"; }
check "writes were passed on" test "$(count writes)" -gt 100
check "notifications were passed on" test "$(count notifications)" -gt 0
check "no piece longer than MTU - 3" test "$(count 'too long')" -eq 0
check "no notification without a subscriber" test "$(count unsubscribed)" -eq 0
check "one drop, by the device's reset" test "$(count 'drops by peripheral')" -eq 1
check "the client connected again after the reset" test "$(count connects)" -ge 2

finish
