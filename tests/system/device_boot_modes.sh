#!/bin/sh
# The loader's other strategies behind SMP reset: swap-using-scratch on a
# partition map with a scratch partition (test, then revert of an image
# that never confirms; test, then an image that confirms itself stays),
# overwrite-only (no revert: the new image stays), and two image pairs
# (nRF5340 application and network core), the network core tested and
# reverted on its own.
. "$SRC/tests/system/device_lib.sh"

TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
KEY="$VECTORS/images/keys/ed25519.pem"

# make_image BEHAVIOUR VERSION SLOT_SIZE OUT [PAYLOAD_SIZE]
make_image() {
    "$TOOL" app-payload -b "$1" -n "${5:-8192}" --reset 0x20001 "$WORK/payload-$1.bin" &&
        "$TOOL" sign -k "$KEY" -v "$2" -H 0x200 --pad-header --align 4 -S "$3" \
            "$WORK/payload-$1.bin" "$4"
}

digest_of() {
    "$TOOL" verify "$1" | sed -n 's/^Image digest: //p'
}

# request IMAGE SMP_IMAGE CONFIRM: upload into the image's slot 1, ask for it.
request() {
    udp "$WORK/up" upload "$1" "$2" 512 &&
        has "$WORK/up" "upload done $(wc -c <"$1")" &&
        udp "$WORK/st" req 2 1 0 "{\"hash\":{\"hex\":\"$(digest_of "$1")\"},\"confirm\":$3}" &&
        grep -qE '^body \{"images":' "$WORK/st"
}

reset_device() { # reset_device N
    udp "$WORK/reset" req 2 0 5 '{}' &&
        wait_for "$DEV_LOG" "Starting bootloader \\(boot $1" &&
        wait_for "$DEV_LOG" "(app: |Unable to find bootable image)" &&
        sleep 0.1
}

# version_of IMAGE SLOT: the version image list reports (entries carry
# "image" only when the device has several image pairs).
version_of() {
    udp "$WORK/list" req 0 1 0
    tr '{' '\n' <"$WORK/list" |
        sed -n "s/^\"image\":$1,\"slot\":$2,\"version\":\"\\([^\"]*\\)\".*/\\1/p
                s/^\"slot\":$2,\"version\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# --- swap-using-scratch ------------------------------------------------------
cat >"$WORK/pm_static.yml" <<'EOT'
mcuboot:
  address: 0x0
  size: 0xc000
  region: flash_primary
mcuboot_primary:
  address: 0xc000
  size: 0x70000
  region: flash_primary
mcuboot_secondary:
  address: 0x7c000
  size: 0x70000
  region: flash_primary
mcuboot_scratch:
  address: 0xec000
  size: 0x2000
  region: flash_primary
settings_storage:
  address: 0xfe000
  size: 0x2000
  region: flash_primary
EOT
check "sign 1.0.0 for the scratch map" make_image confirm 1.0.0 0x70000 "$WORK/s1.bin"
check "sign a never-confirming 2.0.0" make_image no-confirm 2.0.0 0x70000 "$WORK/s2n.bin"
check "sign a self-confirming 3.0.0" make_image confirm 3.0.0 0x70000 "$WORK/s3.bin"

start_device --flash "$WORK/scratch.flash" --pm-static "$WORK/pm_static.yml" --udp 127.0.0.1:0 \
    --boot-mode scratch --install "mcuboot_primary=$WORK/s1.bin" --trust-key "$KEY" ||
    { not_ok "scratch device starts"; finish; exit 1; }
check "scratch: test request for 2.0.0" request "$WORK/s2n.bin" 0 false
check "scratch: reset" reset_device 2
check "scratch: swapped with the scratch algorithm" \
    grep -q 'Starting swap using scratch algorithm, swap type: test' "$DEV_LOG"
check "scratch: 2.0.0 runs" test "$(version_of 0 0)" = 2.0.0
check "scratch: reset without confirming" reset_device 3
check "scratch: reverted" grep -q 'reverted to the previous image' "$DEV_LOG"
check "scratch: 1.0.0 runs again" test "$(version_of 0 0)" = 1.0.0
check "scratch: test request for 3.0.0" request "$WORK/s3.bin" 0 false
check "scratch: reset" reset_device 4
check "scratch: 3.0.0 runs and confirmed itself" test "$(version_of 0 0)" = 3.0.0
check "scratch: reset again" reset_device 5
check "scratch: 3.0.0 stays" test "$(version_of 0 0)" = 3.0.0
stop_device

# --- overwrite-only ----------------------------------------------------------
check "sign 1.0.0" make_image confirm 1.0.0 0x79000 "$WORK/o1.bin"
check "sign a never-confirming 2.0.0" make_image no-confirm 2.0.0 0x79000 "$WORK/o2n.bin"
start_device --flash "$WORK/overwrite.flash" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --boot-mode overwrite --install "mcuboot_primary=$WORK/o1.bin" --trust-key "$KEY" ||
    { not_ok "overwrite device starts"; finish; exit 1; }
check "overwrite: test request for 2.0.0" request "$WORK/o2n.bin" 0 false
check "overwrite: reset" reset_device 2
check "overwrite: copied" grep -q 'Copying the secondary slot to the primary slot' "$DEV_LOG"
check "overwrite: 2.0.0 runs" test "$(version_of 0 0)" = 2.0.0
check "overwrite: slot 1 is empty" sh -c "! grep -q '\"slot\":1' '$WORK/list'"
check "overwrite: reset without confirming" reset_device 3
check "overwrite: no revert, 2.0.0 stays" test "$(version_of 0 0)" = 2.0.0
stop_device

# --- two image pairs ---------------------------------------------------------
check "sign app 1.0.0" make_image confirm 1.0.0 0x57000 "$WORK/app1.bin"
# The network core's images differ from the application's (another
# payload size), so no hash names two images.
check "sign net 1.0.0" make_image confirm 1.0.0 0x40000 "$WORK/net1.bin" 6144
check "sign net 2.0.0" make_image confirm 2.0.0 0x40000 "$WORK/net2.bin" 6144
start_device --flash "$WORK/53.flash" --layout nrf5340 --udp 127.0.0.1:0 --boot-mode move \
    --install "mcuboot_primary=$WORK/app1.bin" --install "mcuboot_primary_1=$WORK/net1.bin" \
    --trust-key "$KEY" || { not_ok "nrf5340 device starts"; finish; exit 1; }
check "two pairs: both primaries validated" grep -q 'image 1 in mcuboot_primary_1 valid' "$DEV_LOG"
# A test request for image 1 (the server only lets the running image 0
# ask for permanent switches of itself).
check "two pairs: test request for the network core" request "$WORK/net2.bin" 1 false
check "two pairs: reset" reset_device 2
check "two pairs: image 1 swapped" sh -c "sed -n '/boot 2,/,\$p' '$DEV_LOG' | grep -q 'Image 1: Swap type: test'"
check "two pairs: image 0 left alone" sh -c "sed -n '/boot 2,/,\$p' '$DEV_LOG' | grep -q 'Image 0: Swap type: none'"
check "two pairs: network core runs 2.0.0" test "$(version_of 1 0)" = 2.0.0
check "two pairs: application still 1.0.0" test "$(version_of 0 0)" = 1.0.0
# Nothing confirms the network core's test image: the next reset reverts it.
check "two pairs: reset" reset_device 3
check "two pairs: image 1 reverted" sh -c "sed -n '/boot 3,/,\$p' '$DEV_LOG' | grep -q 'Image 1: Swap type: revert'"
check "two pairs: network core back at 1.0.0" test "$(version_of 1 0)" = 1.0.0
stop_device

# --- swap-using-scratch on the built-in layout with a scratch partition ------
check "sign 1.0.0 for nrf52840-scratch" make_image confirm 1.0.0 0x76000 "$WORK/b1.bin"
check "sign 2.0.0 for nrf52840-scratch" make_image confirm 2.0.0 0x76000 "$WORK/b2.bin" 12288
start_device --flash "$WORK/builtin-scratch.flash" --layout nrf52840-scratch --udp 127.0.0.1:0 \
    --boot-mode scratch --install "mcuboot_primary=$WORK/b1.bin" --trust-key "$KEY" ||
    { not_ok "nrf52840-scratch device starts"; finish; exit 1; }
check "built-in scratch layout: test request for 2.0.0" request "$WORK/b2.bin" 0 false
check "built-in scratch layout: reset" reset_device 2
check "built-in scratch layout: swapped with the scratch algorithm" \
    grep -q 'Starting swap using scratch algorithm, swap type: test' "$DEV_LOG"
check "built-in scratch layout: 2.0.0 runs" test "$(version_of 0 0)" = 2.0.0
stop_device

# --- hardware rollback protection (security counters) ------------------------
sign_seccnt() { # sign_seccnt VERSION SEC_CNT OUT
    "$TOOL" app-payload -b confirm -n 8192 --reset 0x20001 "$WORK/payload-sc.bin" &&
        "$TOOL" sign -k "$KEY" -v "$1" -s "$2" -H 0x200 --pad-header --align 4 -S 0x79000 \
            "$WORK/payload-sc.bin" "$3"
}
check "sign 1.0.0 with security counter 5" sign_seccnt 1.0.0 5 "$WORK/sc5.bin"
check "sign 2.0.0 with security counter 3" sign_seccnt 2.0.0 3 "$WORK/sc3.bin"
check "sign 3.0.0 with security counter 7" sign_seccnt 3.0.0 7 "$WORK/sc7.bin"
start_device --flash "$WORK/rollback.flash" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --rollback-protection --install "mcuboot_primary=$WORK/sc5.bin" --trust-key "$KEY" ||
    { not_ok "rollback-protected device starts"; finish; exit 1; }
check "rollback: counter file written" test -s "$WORK/rollback.flash.seccnt"
check "rollback: counter 3 < 5 requested" request "$WORK/sc3.bin" 0 false
check "rollback: reset" reset_device 2
check "rollback: candidate below the counter refused" \
    grep -q 'security counter below the stored one' "$DEV_LOG"
check "rollback: 1.0.0 still runs" test "$(version_of 0 0)" = 1.0.0
check "rollback: counter 7 requested" request "$WORK/sc7.bin" 0 false
check "rollback: reset" reset_device 3
check "rollback: 3.0.0 runs" test "$(version_of 0 0)" = 3.0.0
# 3.0.0 confirmed itself; the next boot finds it permanent and raises the
# counter to 7.
check "rollback: reset" reset_device 4
check "rollback: counter of image 0 raised to 7" \
    test "$(od -An -tu4 -N4 "$WORK/rollback.flash.seccnt" | tr -d ' ')" = 7
stop_device
# The counter survives the power cycle: the old image cannot come back.
start_device --flash "$WORK/rollback2.flash" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --rollback-protection --install "mcuboot_primary=$WORK/sc5.bin" --trust-key "$KEY" ||
    { not_ok "second rollback-protected device starts"; finish; exit 1; }
stop_device
cp "$WORK/rollback.flash.seccnt" "$WORK/rollback2.flash.seccnt"
start_device --flash "$WORK/rollback2.flash" --layout nrf52840-mcuboot --udp 127.0.0.1:0 \
    --rollback-protection --trust-key "$KEY" ||
    { not_ok "rollback-protected device restarts"; finish; exit 1; }
check "rollback: an image below the stored counter does not boot" \
    grep -q 'Unable to find bootable image' "$DEV_LOG"
stop_device

finish
