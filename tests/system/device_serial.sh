#!/bin/sh
# smpdfu-device over a pty with the SMP console framing: commands, an
# upload whose requests span many frame lines, errors, and console noise
# between packets.
. "$SRC/tests/system/device_lib.sh"

IMG="$VECTORS/images/signed/ed25519-basic.bin"
HASH=a0e505d4bba4e0a5dbfd1f3a00d0ce8426777cdc006050ef7bec4cfbfc53a7e7
NEW="$VECTORS/images/signed/ed25519-sha512.bin"

start_device --flash "$WORK/flash.bin" --layout nrf52840 --serial pty \
    --install "mcuboot_primary=$IMG" ||
    { not_ok "device starts on a pty"; finish; exit 1; }
ok "device starts on a pty"
check "pty path printed" test -c "$PTY"

ser "$WORK/e" req 2 0 0 '{"d":"over serial"}'
check "echo" grep -qE '^body \{"r":"over serial"\}$' "$WORK/e"
ser "$WORK/p" req 0 0 6
check "params" grep -qE '^body \{"buf_size":[1-9][0-9]*,"buf_count":[1-9][0-9]*\}$' "$WORK/p"
ser "$WORK/l" req 0 1 0
check "image list" has "$WORK/l" "\"hash\":{\"hex\":\"$HASH\"}"
ser "$WORK/w" req 2 1 0 '{"hash":{"hex":"c61c2dfd7896e7312c278d992e2374c3e332af774bf717fe96ad90ef3714416b"},"confirm":false}'
check "state write, unknown hash: rc 3" grep -qE '^body \{"rc":3\}$' "$WORK/w"
ser "$WORK/w2" --v2 req 2 1 0 '{"hash":{"hex":"c61c2dfd7896e7312c278d992e2374c3e332af774bf717fe96ad90ef3714416b"},"confirm":false}'
check "state write, unknown hash, v2: img error 8" \
    grep -qE '^body \{"err":\{"group":1,"rc":8\}\}$' "$WORK/w2"

# Console output the application might print between packets.
printf 'uart:~$ hello from the shell\r\n\006\011!!!not-base64!!!\n' > "$PTY"
ser "$WORK/e2" req 2 0 0 '{"d":"after noise"}'
check "answers after console noise and a bad frame" \
    grep -qE '^body \{"r":"after noise"\}$' "$WORK/e2"
check "bad frame logged" grep -q 'serial: packet dropped' "$DEV_LOG"

ser "$WORK/u" upload "$NEW" 0 1024
check "upload over serial (1 KiB chunks, many lines each)" \
    has "$WORK/u" "upload done $(wc -c <"$NEW")"
check "upload over serial: match" grep -qE '^body .*"match":true' "$WORK/u"

finish
