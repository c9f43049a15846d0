#!/bin/sh
# An image upload cut by killing the device (kill -9) half way, then done
# again after a restart with the same sha: it completes, the slot matches
# and the state read lists the new image's hash in slot 1.
. "$SRC/tests/system/device_lib.sh"

RUNNING="$VECTORS/images/signed/ed25519-basic.bin"
NEW="$VECTORS/images/signed/ecdsa-p256-100k-auto.bin"
NEW_HASH=e37a4d2ba762eb4c3e16de63279daff7c1d3bc797850d74708452a7901b79201
NEW_LEN=$(wc -c <"$NEW")
KEYS="--trust-key $VECTORS/images/keys/ed25519.pub.pem --trust-key $VECTORS/images/keys/ecdsa-p256.pub.pem"

# shellcheck disable=SC2086
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$RUNNING" $KEYS ||
    { not_ok "device starts"; finish; exit 1; }
ok "device starts"

udp "$WORK/up1" upload "$NEW" 0 512 40000
check "first part of the upload acknowledged" grep -qE '^upload stopped [0-9]+$' "$WORK/up1"
check "the device was at 40000 bytes or more" \
    test "$(sed -n 's/^upload stopped //p' "$WORK/up1")" -ge 40000

kill9_device
ok "device killed in the middle of the upload"

# shellcheck disable=SC2086
start_device --flash "$WORK/flash.bin" --layout nrf52840-mcuboot --udp 127.0.0.1:0 $KEYS ||
    { not_ok "device restarts"; finish; exit 1; }
ok "device restarts on the same flash"
check "running image still boots after the power cut" grep -q 'boot: image 0 in mcuboot_primary valid' "$DEV_LOG"

udp "$WORK/up2" upload "$NEW" 0 512
check "upload completes" has "$WORK/up2" "upload done $NEW_LEN"
check "last response: match true" grep -qE '^body .*"match":true' "$WORK/up2"

udp "$WORK/list" req 0 1 0
check "state read: new image in slot 1 with its hash" \
    has "$WORK/list" "{\"slot\":1,\"version\":\"5.6.7.8\",\"hash\":{\"hex\":\"$NEW_HASH\"}"
check "state read: running image still in slot 0" \
    has "$WORK/list" '"slot":0,"version":"1.2.3.4"'

finish
