#!/bin/sh
# smpdfu upgrade against smpdfu-device (swap using move): every mode, a
# .bin and a multi-image dfu_application.zip, skip by hash, settings
# erase, --json, an application that fails to start (the revert is seen
# after the device comes back) and an image signed by an untrusted key.
. "$SRC/tests/system/client_lib.sh"

S=0x79000
for v in 1 2 5; do
    check "sign confirming application $v.0.0" make_app confirm "$v.0.0" $S "$WORK/v$v.bin"
done
check "sign a never-confirming application 3.0.0" make_app no-confirm 3.0.0 $S "$WORK/v3.bin"
check "sign a failing application 4.0.0" make_app fail 4.0.0 $S "$WORK/v4.bin"
check "sign 6.0.0 with a key the device does not trust" \
    make_app confirm 6.0.0 $S "$WORK/v6.bin" 8192 "$VECTORS/images/keys/ecdsa-p256.pem"
H2=$(image_hash "$WORK/v2.bin")
H3=$(image_hash "$WORK/v3.bin")
H5=$(image_hash "$WORK/v5.bin")

start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 --serial pty \
    --install "mcuboot_primary=$WORK/v1.bin" --trust-key "$KEY_PUB" ||
    { not_ok "device starts"; finish; exit 1; }
PORT=${UDP##*:}

# test-confirm (the default for one image)
smp "$WORK/a" upgrade "$WORK/v2.bin"
check "test-confirm: exit 0" test $? -eq 0
check "test-confirm: uploads" has "$WORK/a" "Uploading v2.bin (image 0, version 2.0.0"
check "test-confirm: marks for a trial boot" has "$WORK/a" "Marking image 0 (2.0.0) for a trial boot"
check "test-confirm: resets and waits" has "$WORK/a" "Waiting for the device to come back"
check "test-confirm: confirms what runs" has "$WORK/a" "Confirming image 0 (2.0.0), which runs now"
check "test-confirm: reports the new image running, confirmed" \
    has "$WORK/a" "image 0 runs 2.0.0 (confirmed), hash $H2"
check "the device swapped" grep -q 'Starting swap using move algorithm, swap type: test' "$DEV_LOG"

smp "$WORK/b" upgrade "$WORK/v2.bin"
check "same image again: nothing sent" has "$WORK/b" "Image 0 already runs 2.0.0: nothing to send"
check "same image again: no upload" test "$(grep -c Uploading "$WORK/b")" -eq 0

# upload only
smp "$WORK/c" upgrade "$WORK/v3.bin" --mode upload
check "upload mode: exit 0" test $? -eq 0
check "upload mode: says nothing was marked" has "$WORK/c" "not marked and not reset"
smp "$WORK/c.list" image list
check "upload mode: 2.0.0 still active" test "$(slot_field 0 0 version)" = 2.0.0
check "upload mode: 3.0.0 in slot 1" test "$(slot_field 0 1 hash)" = "$H3"
check "upload mode: slot 1 not pending" test "$(slot_field 0 1 pending)" = False

# test: trial boot, no confirmation from the client
smp "$WORK/d" upgrade "$WORK/v3.bin" --mode test
check "test mode: exit 0" test $? -eq 0
check "test mode: image already in slot 1 is not sent again" \
    has "$WORK/d" "Image 0: 3.0.0 is already in the spare slot"
check "test mode: no confirmation step" test "$(grep -c Confirming "$WORK/d")" -eq 0
check "test mode: runs unconfirmed and says the next reset reverts" \
    has "$WORK/d" "image 0 runs 3.0.0 (not confirmed: the next reset reverts it unless it confirms itself)"
smp "$WORK/d.reset" reset
sleep 0.3
check "the never-confirming image was reverted at the next reset" \
    test "$(slot_field 0 0 version)" = 2.0.0

# confirm, with settings erase, as --json lines
"$SMPDFU" --json -c "udp:$UDP" upgrade "$WORK/v5.bin" --mode confirm --erase-settings \
    >"$WORK/e" 2>&1
check "confirm mode: exit 0" test $? -eq 0
check "--json: every line is a JSON object" json_ok "$WORK/e"
check "--json: progress events" grep -q '"event":"progress"' "$WORK/e"
check "--json: settings erase step" grep -q '"step":"erase-settings"' "$WORK/e"
check "--json: mark step is confirm" grep -q '"step":"confirm"' "$WORK/e"
check "--json: last line is the upgrade result" \
    test "$(json_get "$WORK/e" '(j["command"], j["ok"], j["mode"], j["images"][0]["action"])')" \
    = "('upgrade', True, 'confirm', 'uploaded')"
check "--json: the device runs 5.0.0, confirmed" \
    test "$(json_get "$WORK/e" '[(d["version"], d["hash"], d["confirmed"]) for d in j["device"] if d["active"]]')" \
    = "[('5.0.0', '$H5', True)]"
smp "$WORK/e.reset" reset
sleep 0.3
check "confirm mode: permanent after another reset" test "$(slot_field 0 0 version)" = 5.0.0

# over the serial pty
smp_ser "$WORK/f" upgrade "$WORK/v2.bin"
check "serial: test-confirm upgrade succeeds" has "$WORK/f" "image 0 runs 2.0.0 (confirmed)"

# An application that fails to start: the device stays silent until it is
# power-cycled; then the bootloader reverts and the client reports it.
"$SMPDFU" -t 0.3 -c "udp:$UDP" upgrade "$WORK/v4.bin" --reconnect 30 >"$WORK/g" 2>&1 &
CL=$!
check "failing application booted" wait_for "$DEV_LOG" 'app: failed to start'
stop_device
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp "127.0.0.1:$PORT" \
    --serial pty --trust-key "$KEY_PUB" || { not_ok "device restarts"; finish; exit 1; }
wait $CL
check "failing application: exit 1" test $? -eq 1
check "failing application: the revert is reported" \
    has "$WORK/g" "image 0: the device reverted to 2.0.0: 4.0.0 was not confirmed or failed to start"
check "failing application: error names the step and the device state" \
    grep -q '^Error: upgrade stopped at "check" (device: image 0 runs 2.0.0' "$WORK/g"

# Untrusted signature: the bootloader refuses it, the old image keeps running.
smp "$WORK/h" upgrade "$WORK/v6.bin"
check "untrusted key: exit 1" test $? -eq 1
check "untrusted key: clear error" grep -q '^Error: upgrade stopped at "check"' "$WORK/h"
check "untrusted key: says the bootloader refused it" has "$WORK/h" "the bootloader refused it"
check "untrusted key: the loader rejected it" grep -q 'not valid: no trusted key' "$DEV_LOG"
check "untrusted key: 2.0.0 still runs" test "$(slot_field 0 0 version)" = 2.0.0
stop_device

# Two images (nRF5340 application and network core) from a zip: confirm is
# the default, image 1 is marked before image 0.
check "sign app 1.0.0" make_app confirm 1.0.0 0x57000 "$WORK/app1.bin"
check "sign app 2.0.0" make_app confirm 2.0.0 0x57000 "$WORK/app2.bin"
check "sign net 1.0.0" make_app confirm 1.0.0 0x40000 "$WORK/net1.bin" 6144
check "sign net 2.0.0" make_app confirm 2.0.0 0x40000 "$WORK/net2.bin" 6144
mkdir "$WORK/zip"
cp "$WORK/app2.bin" "$WORK/zip/zephyr.signed.bin"
cp "$WORK/net2.bin" "$WORK/zip/signed_by_mcuboot_and_b0_ipc_radio.bin"
cat >"$WORK/zip/manifest.json" <<EOT
{"format-version": 1, "time": 1700000000, "name": "app",
 "files": [
  {"type": "application", "board": "nrf5340dk_nrf5340_cpuapp", "soc": "nRF5340_CPUAPP",
   "load_address": 65536, "image_index": "0", "version_MCUBOOT": "2.0.0",
   "size": $(wc -c <"$WORK/app2.bin"), "file": "zephyr.signed.bin", "modtime": 1700000000},
  {"type": "application", "board": "nrf5340dk_nrf5340_cpunet", "soc": "nRF5340_CPUNET",
   "load_address": 16777216, "image_index": "1", "version_MCUBOOT": "2.0.0",
   "size": $(wc -c <"$WORK/net2.bin"), "file": "signed_by_mcuboot_and_b0_ipc_radio.bin",
   "modtime": 1700000000}
 ]}
EOT
(cd "$WORK/zip" && zip -q ../dfu_application.zip manifest.json zephyr.signed.bin \
    signed_by_mcuboot_and_b0_ipc_radio.bin)
start53() {
    start_device --flash "$WORK/$1" --layout nrf5340 --udp 127.0.0.1:0 \
        --install "mcuboot_primary=$WORK/app1.bin" --install "mcuboot_primary_1=$WORK/net1.bin" \
        --trust-key "$KEY_PUB"
}
start53 flash53.bin || { not_ok "nrf5340 device starts"; finish; exit 1; }
smp "$WORK/z" upgrade "$WORK/dfu_application.zip" --mode test
check "zip: exit 0" test $? -eq 0
check "zip: both images uploaded" test "$(grep -c '^Uploading' "$WORK/z")" -eq 2
check "zip: network core (image 1) marked before the application (image 0)" \
    test "$(sed -n 's/^Marking image \([01]\) .*/\1/p' "$WORK/z" | tr -d '\n')" = 10
check "zip: image 0 runs 2.0.0" has "$WORK/z" "image 0 runs 2.0.0"
check "zip: image 1 runs 2.0.0" has "$WORK/z" "image 1 runs 2.0.0"
check "sign net 3.0.0" make_app confirm 3.0.0 0x40000 "$WORK/net3.bin" 7000
# Image 1 runs on trial (not confirmed): its spare slot holds the image to
# revert to, so the device refuses a new upload, and the client says why.
smp "$WORK/x" upgrade "$WORK/net3.bin" --image 1 --mode test
check "upload while a trial boot is unresolved: refused" test $? -eq 1
check "upload while a trial boot is unresolved: names the step, the state and the remedy" \
    grep -q '^Error: upgrade stopped at "upload" (device: image 1 runs 2.0.0 (not confirmed)): image/IMG_MGMT_ERR_NO_FREE_SLOT (rc 9): .*reset or erase' "$WORK/x"
stop_device
start53 flash53c.bin || { not_ok "nrf5340 device starts"; finish; exit 1; }
smp "$WORK/w" upgrade "$WORK/net3.bin" --image 1 --mode test
check "a .bin for image 1 with --image 1" has "$WORK/w" "Uploading net3.bin (image 1, version 3.0.0"
check "image 1 runs 3.0.0" has "$WORK/w" "image 1 runs 3.0.0"
stop_device

# The default for several images is confirm, network core first.
start53 flash53b.bin || { not_ok "nrf5340 device starts again"; finish; exit 1; }
smp "$WORK/y" upgrade "$WORK/dfu_application.zip"
check "zip: the confirm-mode upgrade succeeds" test $? -eq 0
check "zip: confirm is the default for several images" \
    test "$(sed -n 's/^Marking image \([01]\) (2.0.0) for a permanent switch/\1/p' "$WORK/y" | tr -d '\n')" = 10
check "zip: image 0 runs 2.0.0 after a confirm-mode upgrade" \
    test "$(slot_field 0 0 version)" = 2.0.0
check "zip: image 1 runs 2.0.0 after a confirm-mode upgrade" has "$WORK/y" "image 1 runs 2.0.0"

finish
