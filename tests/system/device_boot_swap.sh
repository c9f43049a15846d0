#!/bin/sh
# The loader behind SMP reset (swap-using-move): a test image that confirms
# itself stays; one that never confirms is reverted on the next reset; a
# permanent request stays without confirmation; a candidate with a flipped
# bit or an untrusted signature never boots and is erased.
. "$SRC/tests/system/device_lib.sh"

TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
KEY="$VECTORS/images/keys/ed25519.pem"
OTHER_KEY="$VECTORS/images/keys/ecdsa-p256.pem"

# make_image BEHAVIOUR VERSION OUT [KEY]
make_image() {
    "$TOOL" app-payload -b "$1" -n 8192 --reset 0x20001 "$WORK/payload-$1.bin" &&
        "$TOOL" sign -k "${4:-$KEY}" -v "$2" -H 0x200 --pad-header --align 4 -S 0x79000 \
            "$WORK/payload-$1.bin" "$3"
}

digest_of() {
    "$TOOL" verify "$1" | sed -n 's/^Image digest: //p'
}

check "sign the running image 1.0.0" make_image confirm 1.0.0 "$WORK/old.bin"
check "sign a self-confirming 2.0.0" make_image confirm 2.0.0 "$WORK/new-confirm.bin"
check "sign a never-confirming 2.0.0" make_image no-confirm 2.0.0 "$WORK/new-noconfirm.bin"
check "sign 2.0.0 with a key the device does not trust" \
    make_image confirm 2.0.0 "$WORK/untrusted.bin" "$OTHER_KEY"
# A copy of the self-confirming image with one payload bit flipped: its
# hash TLV (the one the request names) no longer matches the payload.
cp "$WORK/new-confirm.bin" "$WORK/flipped.bin"
printf '\001' | dd of="$WORK/flipped.bin" bs=1 seek=4000 conv=notrunc 2>/dev/null
cmp -s "$WORK/new-confirm.bin" "$WORK/flipped.bin" && not_ok "bit flipped"

# boot_device NAME: a fresh flash with the 1.0.0 image in the primary slot.
boot_device() {
    start_device --flash "$WORK/$1.flash" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
        --boot-mode move --install "mcuboot_primary=$WORK/old.bin" --trust-key "$KEY"
}

# upload_and_request IMAGE CONFIRM [HASH_OF]: upload to slot 1 and ask for
# the swap by the hash TLV of HASH_OF (default IMAGE).
upload_and_request() {
    udp "$WORK/up" upload "$1" 0 512 &&
        has "$WORK/up" "upload done $(wc -c <"$1")" &&
        udp "$WORK/st" req 2 1 0 "{\"hash\":{\"hex\":\"$(digest_of "${3:-$1}")\"},\"confirm\":$2}" &&
        grep -qE '^body \{"images":' "$WORK/st"
}

# reset_device N: SMP reset, then wait for boot N to have started the app
# (or given up).
reset_device() {
    udp "$WORK/reset" req 2 0 5 '{}' &&
        wait_for "$DEV_LOG" "Starting bootloader \\(boot $1" &&
        wait_for "$DEV_LOG" "(app: |Unable to find bootable image)" &&
        sleep 0.1
}

running_version() {
    udp "$WORK/list" req 0 1 0
    sed -n 's/.*"slot":0,"version":"\([^"]*\)".*/\1/p' "$WORK/list"
}

# --- test, the new image confirms itself, it stays ---------------------------
boot_device confirm || { not_ok "device starts"; finish; exit 1; }
check "confirm: upload and test request" upload_and_request "$WORK/new-confirm.bin" false
check "confirm: reset" reset_device 2
check "confirm: loader logs the test swap" grep -q 'Swap type: test' "$DEV_LOG"
check "confirm: the new image runs" test "$(running_version)" = 2.0.0
check "confirm: it confirmed itself" grep -q 'confirmed itself' "$DEV_LOG"
check "confirm: reset again" reset_device 3
check "confirm: no swap on the third boot" sh -c "sed -n '/boot 3,/,\$p' '$DEV_LOG' | grep -q 'Swap type: none'"
check "confirm: still the new image" test "$(running_version)" = 2.0.0
stop_device

# --- test, the new image never confirms, it is reverted -------------------
boot_device revert || { not_ok "device starts"; finish; exit 1; }
check "revert: upload and test request" upload_and_request "$WORK/new-noconfirm.bin" false
check "revert: reset" reset_device 2
check "revert: the new image runs" test "$(running_version)" = 2.0.0
check "revert: it did not confirm" grep -q 'not confirming itself (marker "no-confirm")' "$DEV_LOG"
check "revert: reset again" reset_device 3
check "revert: the loader reverts" sh -c "sed -n '/boot 3,/,\$p' '$DEV_LOG' | grep -q 'Swap type: revert'"
check "revert: the report says it was reverted" grep -q 'reverted to the previous image' "$DEV_LOG"
check "revert: the old image is back" test "$(running_version)" = 1.0.0
check "revert: the new image is back in slot 1" has "$WORK/list" '"slot":1,"version":"2.0.0"'
check "revert: reset once more" reset_device 4
check "revert: stays on the old image" test "$(running_version)" = 1.0.0
stop_device

# --- permanent request: stays without confirmation ---------------------------
boot_device perm || { not_ok "device starts"; finish; exit 1; }
check "perm: upload and confirm request" upload_and_request "$WORK/new-noconfirm.bin" true
check "perm: reset" reset_device 2
check "perm: loader logs the permanent swap" grep -q 'Swap type: perm' "$DEV_LOG"
check "perm: reset again" reset_device 3
check "perm: still the new image" test "$(running_version)" = 2.0.0
stop_device

# --- invalid candidates are erased, the old image keeps running ------------
for bad in flipped untrusted; do
    boot_device "$bad" || { not_ok "device starts"; finish; exit 1; }
    hash_of="$WORK/$bad.bin"
    [ "$bad" = flipped ] && hash_of="$WORK/new-confirm.bin"
    check "$bad: upload and test request" upload_and_request "$WORK/$bad.bin" false "$hash_of"
    check "$bad: reset" reset_device 2
    check "$bad: loader says the candidate is not valid and erased it" \
        grep -qE 'Image in the secondary slot is not valid: .*; erased' "$DEV_LOG"
    check "$bad: the old image runs" test "$(running_version)" = 1.0.0
    check "$bad: slot 1 is empty" sh -c "! grep -q '\"slot\":1' '$WORK/list'"
    stop_device
done

finish
