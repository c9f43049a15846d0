#!/bin/sh
# SMP reset reboots the device through the boot path, after which the
# application serves again; the boot decision is logged each time.
. "$SRC/tests/system/device_lib.sh"

IMG="$VECTORS/images/signed/ed25519-basic.bin"

start_device --flash "$WORK/flash.bin" --layout nrf52840 --udp 127.0.0.1:0 \
    --install "mcuboot_primary=$IMG" --trust-key "$VECTORS/images/keys/ed25519.pub.pem" ||
    { not_ok "device starts"; finish; exit 1; }
check "first boot logged" test "$(grep -c 'Starting bootloader' "$DEV_LOG")" -eq 1
check "signature checked at boot" grep -q 'image 0 in mcuboot_primary valid (signature)' "$DEV_LOG"

udp "$WORK/reset" req 2 0 5 '{}'
check "reset answered with an empty map" grep -qE '^body \{\}$' "$WORK/reset"
check "reset is a write response in group 0, id 5" grep -qE '^hdr op=3 .* group=0 seq=[0-9]+ id=5$' "$WORK/reset"
check "device went through the boot path again" wait_for "$DEV_LOG" 'Starting bootloader \(boot 2'
check "and jumped to the application" test "$(grep -c 'Jumping to the first image slot' "$DEV_LOG")" -eq 2

udp "$WORK/echo" req 2 0 0 '{"d":"after reset"}'
check "serves SMP after the reset" grep -qE '^body \{"r":"after reset"\}$' "$WORK/echo"

# Without keys the boot path checks the hash only.
stop_device
start_device --flash "$WORK/flash.bin" --layout nrf52840 --udp 127.0.0.1:0 ||
    { not_ok "device restarts"; finish; exit 1; }
check "hash-only boot without trusted keys" grep -q 'image 0 in mcuboot_primary valid (hash only)' "$DEV_LOG"

# A key that did not sign the image: nothing boots, nothing answers.
stop_device
start_device --flash "$WORK/flash.bin" --layout nrf52840 --udp 127.0.0.1:0 \
    --trust-key "$VECTORS/images/keys/ecdsa-p256.pub.pem" ||
    { not_ok "device restarts"; finish; exit 1; }
check "image signed by an untrusted key rejected" grep -qE 'image 0 in mcuboot_primary rejected' "$DEV_LOG"
check "no bootable image logged" grep -q 'Unable to find bootable image' "$DEV_LOG"
udp "$WORK/none" --timeout-ms 300 req 0 0 6
check "no SMP without an application" grep -q '^timeout$' "$WORK/none"

finish
