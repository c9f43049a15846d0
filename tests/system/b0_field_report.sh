#!/bin/sh
# The field report's sequence against the simulated nRF52840 with its first
# stage: params, image list, upload of the S0 variant, upload of the S1
# variant (it replaces the first in the one secondary slot), storage erase,
# then "test" naming the S0 variant. Params and erase now succeed; the state
# write still fails with rc 3 (v2: HASH_NOT_FOUND) and the device log says
# why. Then a variant linked for the running slot is refused at state write
# (IN_VALUE; v2 INVALID_IMAGE_VECTOR_TABLE) with a log line, and one for the
# idle slot is accepted.
. "$SRC/tests/system/client_lib.sh"
. "$SRC/tests/system/b0_lib.sh"

check "bootloader release 1" make_b0 1 "$WORK/r1"
check "bootloader release 2" make_b0 2 "$WORK/r2"
check "application" make_b0_app "$WORK/app.bin"
S0V="$WORK/r2/signed_by_mcuboot_and_b0_mcuboot.bin"
S1V="$WORK/r2/signed_by_mcuboot_and_b0_s1_image.bin"
H_S0=$(image_hash "$S0V")
H_S1=$(image_hash "$S1V")

start_b0_device "$WORK/flash.bin" --install "s0=$WORK/r1/signed_by_b0_mcuboot.bin" \
    --install "mcuboot_primary=$WORK/app.bin" || { not_ok "device starts"; finish; exit 1; }

udp "$WORK/params" req 0 0 6
check "params: answered" grep -qE '^body \{"buf_size":[1-9][0-9]*,"buf_count":[1-9][0-9]*\}$' \
    "$WORK/params"
udp "$WORK/list" req 0 1 0
check "list: the application in slot 0 only" \
    test "$(grep -o '"slot":' "$WORK/list" | wc -l)" -eq 1
udp "$WORK/up0" upload "$S0V"
check "upload of the S0 variant" has "$DEV_LOG" "upload to image 0 complete"
udp "$WORK/up1" upload "$S1V"
check "upload of the S1 variant" test "$(grep -c 'upload to image 0 complete' "$DEV_LOG")" -eq 2
check "slot 1 holds only the S1 variant now" test "$(slot_field 0 1 hash)" = "$H_S1"
udp "$WORK/erase" req 2 63 0
check "storage erase: success" grep -qE '^body \{("rc":0)?\}$' "$WORK/erase"

udp "$WORK/test1" req 2 1 0 "{\"hash\":{\"hex\":\"$H_S0\"},\"confirm\":false}"
check "test of the S0 variant, v1: rc 3" grep -qE '^body \{"rc":3\}$' "$WORK/test1"
"$CLIENT" --udp "$UDP" --v2 req 2 1 0 "{\"hash\":{\"hex\":\"$H_S0\"},\"confirm\":false}" \
    >"$WORK/test2" 2>&1
check "test of the S0 variant, v2: HASH_NOT_FOUND" \
    grep -qE '^body \{"err":\{"group":1,"rc":8\}\}$' "$WORK/test2"
check "the device log explains the replaced variant" \
    has "$DEV_LOG" "slot 1 holds the S1 variant of MCUboot"
check "the device log says what to do" \
    has "$DEV_LOG" "only the S1 variant (for the slot the first stage does not boot) can be installed"
check "nothing pending after the refused write" test "$(slot_field 0 1 pending)" = False

# A variant for the running slot (S0) is refused at state write.
udp "$WORK/up2" upload "$S0V"
check "S0 variant uploaded" test "$(slot_field 0 1 hash)" = "$H_S0"
udp "$WORK/c1" req 2 1 0 "{\"hash\":{\"hex\":\"$H_S0\"},\"confirm\":true}"
check "confirm of the S0 variant while S0 runs, v1: rc 3" grep -qE '^body \{"rc":3\}$' "$WORK/c1"
"$CLIENT" --udp "$UDP" --v2 req 2 1 0 "{\"hash\":{\"hex\":\"$H_S0\"},\"confirm\":true}" \
    >"$WORK/c2" 2>&1
check "v2: INVALID_IMAGE_VECTOR_TABLE" grep -qE '^body \{"err":\{"group":1,"rc":29\}\}$' "$WORK/c2"
check "refusal logged with the reason" \
    has "$DEV_LOG" "state write refused: slot 1 holds MCUboot linked for S0"
check "not pending" test "$(slot_field 0 1 pending)" = False
smp "$WORK/c3" image confirm "$H_S0"
check "smpdfu shows the refusal" test $? -ne 0

# The S1 variant is accepted and installed.
udp "$WORK/up3" upload "$S1V"
udp "$WORK/c4" req 2 1 0 "{\"hash\":{\"hex\":\"$H_S1\"},\"confirm\":true}"
check "confirm of the S1 variant: accepted" grep -q '"pending":true' "$WORK/c4"
smp "$WORK/r" reset
wait_for "$DEV_LOG" 'booting S1 \(fw_info version 2' 
check "after the reset the first stage boots S1" has "$DEV_LOG" "b0: booting S1 (fw_info version 2"

finish
