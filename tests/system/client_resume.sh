#!/bin/sh
# An upload through smpdfu while the device is killed (kill -9) and started
# again on the same flash and port: the client's requests time out, it
# sends again, follows the offset the restarted device reports and ends
# with the device's hash matching the file. Then the same in the middle of
# a whole upgrade, which goes on to the reset and the confirmation.
. "$SRC/tests/system/client_lib.sh"

check "sign a large application" make_app confirm 7.0.0 0x79000 "$WORK/big.bin" 480000
check "sign the running application" make_app confirm 1.0.0 0x79000 "$WORK/v1.bin"
check "sign another large application" make_app no-confirm 8.0.0 0x79000 "$WORK/big8.bin" 470000
BIG_HASH=$(image_hash "$WORK/big.bin")

start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$WORK/v1.bin" --trust-key "$KEY_PUB" ||
    { not_ok "device starts"; finish; exit 1; }
PORT=${UDP##*:}

# pause_mid_upload PID: stop the client a little after the device has
# started taking the upload (it keeps a resume record per 4 KiB sector).
pause_mid_upload() {
    i=0
    while ! grep -q 'upload to image 0 started' "$DEV_LOG" && [ $i -lt 5000 ]; do
        i=$((i + 1))
    done
    sleep 0.02
    kill -STOP "$1"
}

# restart_device: kill -9 and start again on the same flash and port.
restart_device() {
    kill9_device
    start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp "127.0.0.1:$PORT" \
        --trust-key "$KEY_PUB"
}

# Small frames, one at a time: thousands of requests, so the upload is
# still running when the client is paused.
"$SMPDFU" -t 0.3 -r 20 --window 1 --frame 128 -c "udp:$UDP" image upload "$WORK/big.bin" \
    >"$WORK/up" 2>&1 &
CL=$!
pause_mid_upload $CL
check "client paused in the middle of the upload" test "$(grep -c 'match' "$WORK/up")" -eq 0
restart_device || { not_ok "device restarts"; kill -9 $CL; finish; exit 1; }
ok "device killed and restarted"
check "restarted device kept the interrupted upload" grep -q 'can resume at offset' "$DEV_LOG"
kill -CONT $CL
wait $CL
check "upload completes" test $? -eq 0
check "the device's hash matches the file" has "$WORK/up" "match: true"
check "the client followed the device's offset" grep -qE '^resyncs: [1-9]' "$WORK/up"
check "the device resumed instead of starting over" grep -qE 'resumed at offset [1-9]' "$DEV_LOG"
check "slot 1 holds the image" test "$(slot_field 0 1 hash)" = "$BIG_HASH"

# The same during an upgrade (test-confirm): after the restart the upload
# continues and the upgrade goes on to the reset and the confirmation.
"$SMPDFU" -c "udp:$UDP" image erase >/dev/null 2>&1
"$SMPDFU" -t 0.3 -r 20 --window 1 --frame 128 -c "udp:$UDP" upgrade "$WORK/big8.bin" \
    >"$WORK/upg" 2>&1 &
CL=$!
pause_mid_upload $CL
check "upgrade paused in its upload" test "$(grep -c 'Marking' "$WORK/upg")" -eq 0
restart_device || { not_ok "device restarts"; kill -9 $CL; finish; exit 1; }
kill -CONT $CL
wait $CL
check "upgrade completes" test $? -eq 0
check "upgrade: the device resumed the upload" grep -qE 'resumed at offset [1-9]' "$DEV_LOG"
check "upgrade: the new image runs, confirmed by the client" \
    has "$WORK/upg" "image 0 runs 8.0.0 (confirmed)"

finish
