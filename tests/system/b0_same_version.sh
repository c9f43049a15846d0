#!/bin/sh
# A dfu_mcuboot.zip whose fw_info version is not higher than the running
# one's: smpdfu warns (the device reports the running fw_info version beside
# active_b0_slot) and stops before uploading. Forced, it goes ahead: the
# loader copies it into the idle slot with a warning, the first stage keeps
# the running bootloader (a tie goes to S0), and smpdfu reports that nothing
# changed. Then a newer release gets no warning.
. "$SRC/tests/system/client_lib.sh"
. "$SRC/tests/system/b0_lib.sh"

check "bootloader release 1" make_b0 1 "$WORK/r1"
check "application" make_b0_app "$WORK/app.bin"

start_b0_device "$WORK/flash.bin" --install "s0=$WORK/r1/signed_by_b0_mcuboot.bin" \
    --install "mcuboot_primary=$WORK/app.bin" || { not_ok "device starts"; finish; exit 1; }

smp "$WORK/u0" upgrade "$WORK/r1/dfu_mcuboot.zip"
check "not newer, not forced: exit status says it stopped" test $? -ne 0
check "not newer, not forced: warns and sends nothing" \
    has "$WORK/u0" "nothing sent (--force sends it anyway)"
check "not newer, not forced: no upload" test "$(grep -c '^Uploading ' "$WORK/u0")" -eq 0
check "not newer, not forced: the device was not reset" \
    test "$(grep -c 'Starting bootloader' "$DEV_LOG")" -eq 1

smp "$WORK/u" upgrade "$WORK/r1/dfu_mcuboot.zip" --force
check "forced: exit status says it failed (nothing changed)" test $? -ne 0
check "picks the S1 variant" has "$WORK/u" "sending the S1 variant"
"$CLIENT" --udp "$UDP" --v2 req 0 0 8 '{"query":"active_b0_slot"}' >"$WORK/q" 2>&1
check "bootloader info: active 0, running fw_info version 1" \
    grep -qE '^body \{"active":0,"version":1\}$' "$WORK/q"
WARN='Warning: the S1 variant has fw_info version 1, not higher than the running MCUboot.s 1'
check "warns that the package is not newer" grep -qE "$WARN" "$WORK/u"
check "... before the upload" test "$(grep -nE "$WARN" "$WORK/u" | cut -d: -f1 | head -1)" \
    -lt "$(grep -n '^Uploading ' "$WORK/u" | cut -d: -f1 | head -1)"
check "reports that the first stage kept S0" \
    has "$WORK/u" "the first-stage bootloader still boots MCUboot from S0: it did not take the new MCUboot"
check "the loader warned" has "$DEV_LOG" "fw_info version is not higher than the running one's"
check "the first stage kept S0 version 1" \
    test "$(grep -c 'b0: booting S0 (fw_info version 1' "$DEV_LOG")" -ge 3
check "S1 holds the copy" has "$DEV_LOG" "b0: S1: fw_info version 1"
check "active_b0_slot still 0" test "$(b0_active)" = 0

check "bootloader release 2" make_b0 2 "$WORK/r2"
smp "$WORK/u2" upgrade "$WORK/r2/dfu_mcuboot.zip"
check "a newer release installs" test $? -eq 0
check "... without the warning" test "$(grep -c "not higher than the running" "$WORK/u2")" -eq 0
check "... and S1 runs it" test "$(b0_active)" = 1

finish
