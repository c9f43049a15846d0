#!/bin/sh
# MCUboot upgraded through the first stage on the simulated nRF52840:
# `smpdfu upgrade dfu_mcuboot.zip` picks the variant for the idle S slot,
# the loader copies it there and resets, the first stage switches; twice,
# S0 -> S1 -> S0, while the application stays the same. Then the device is
# powered up again from its flash file and keeps the new bootloader.
. "$SRC/tests/system/client_lib.sh"
. "$SRC/tests/system/b0_lib.sh"

check "bootloader release 1 (fw_info version 1)" make_b0 1 "$WORK/r1"
check "bootloader release 2" make_b0 2 "$WORK/r2"
check "bootloader release 3" make_b0 3 "$WORK/r3"
check "application" make_b0_app "$WORK/app.bin"
APP_HASH=$(image_hash "$WORK/app.bin")

# The factory image: S0 holds the first-stage-signed MCUboot after its pad.
start_b0_device "$WORK/flash.bin" --install "s0=$WORK/r1/signed_by_b0_mcuboot.bin" \
    --install "mcuboot_primary=$WORK/app.bin" || { not_ok "device starts"; finish; exit 1; }
check "provisioned at creation" has "$DEV_LOG" "b0: provisioned: S0 0x8000, S1 0x15000, one key"
check "bare S0 image written after the pad" has "$DEV_LOG" "written after the 0x200 pad"
check "first stage boots S0" has "$DEV_LOG" "b0: booting S0 (fw_info version 1, boot address 0x8200)"
check "the loader runs from S0" has "$DEV_LOG" "Starting bootloader from S0"
check "the application runs" has "$DEV_LOG" "app: confirmed itself"
check "active_b0_slot is 0" test "$(b0_active)" = 0

smp "$WORK/u2" upgrade "$WORK/r2/dfu_mcuboot.zip"
check "S0 -> S1: exit 0" test $? -eq 0
check "S0 -> S1: picks the S1 variant and says why" \
    has "$WORK/u2" "MCUboot runs from S0: sending the S1 variant (signed_by_mcuboot_and_b0_s1_image.bin); the S0 variant would replace the running bootloader"
check "S0 -> S1: only one upload" test "$(grep -c '^Uploading' "$WORK/u2")" -eq 1
check "S0 -> S1: confirm, not test" has "$WORK/u2" "for a permanent switch"
check "S0 -> S1: verifies the flip" \
    has "$WORK/u2" "now boots MCUboot from S1 (was S0): the new MCUboot (2.0.0, fw_info version 2) runs"
check "S0 -> S1: loader copied into S1" has "$DEV_LOG" "Bootloader update: copying"
check "S0 -> S1: reset for the first stage" has "$DEV_LOG" "boot: reset (new bootloader for the first stage)"
check "S0 -> S1: first stage boots version 2 from S1" \
    has "$DEV_LOG" "b0: booting S1 (fw_info version 2, boot address 0x15200)"
check "S0 -> S1: counter raised" has "$DEV_LOG" "b0: monotonic counter raised to version 2"
check "S0 -> S1: active_b0_slot is 1" test "$(b0_active)" = 1
check "S0 -> S1: same application" test "$(slot_field 0 0 hash)" = "$APP_HASH"
check "S0 -> S1: secondary slot scrubbed" test "$(slot_field 0 1 hash)" = none

smp "$WORK/u3" upgrade "$WORK/r3/dfu_mcuboot.zip"
check "S1 -> S0: exit 0" test $? -eq 0
check "S1 -> S0: picks the S0 variant" \
    has "$WORK/u3" "MCUboot runs from S1: sending the S0 variant (signed_by_mcuboot_and_b0_mcuboot.bin)"
check "S1 -> S0: verifies the flip" \
    has "$WORK/u3" "now boots MCUboot from S0 (was S1): the new MCUboot (3.0.0, fw_info version 3) runs"
check "S1 -> S0: first stage boots version 3 from S0" \
    has "$DEV_LOG" "b0: booting S0 (fw_info version 3, boot address 0x8200)"
check "S1 -> S0: active_b0_slot is 0" test "$(b0_active)" = 0
check "S1 -> S0: same application" test "$(slot_field 0 0 hash)" = "$APP_HASH"
check "the application was never swapped" test "$(grep -c 'Swap type: none' "$DEV_LOG")" -ge 3
check "no application swap started" test "$(grep -c 'Starting swap' "$DEV_LOG")" -eq 0

# Power up again from the same flash: the first stage keeps S0 version 3
# and the counter is not raised again.
stop_device
start_b0_device "$WORK/flash.bin" || { not_ok "device starts again"; finish; exit 1; }
check "power-up: provision area not rewritten" has "$DEV_LOG" "provision area already written"
check "power-up: S0 version 3 boots" has "$DEV_LOG" "b0: booting S0 (fw_info version 3"
check "power-up: counter unchanged" test "$(grep -c 'counter raised' "$DEV_LOG")" -eq 0
check "power-up: S1 still holds version 2" has "$DEV_LOG" "b0: S1: fw_info version 2"

finish
