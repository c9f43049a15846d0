# Helpers for the first-stage (NSIB/B0, S0/S1) system tests, sourced after
# client_lib.sh. Layout nrf52840: S0 0x8000, S1 0x15000, pads 0x200,
# mcuboot_primary 0x22000 (slots 0x6e000).
B0_KEY="$VECTORS/images/keys/ecdsa-p256.pem"

# make_fw RESET_VECTOR OUT: a 16 KiB bootloader firmware whose vector table
# points into RESET_VECTOR's slot, with room for fw_info at 0x200; the
# bytes after it depend on the vector, so builds differ.
make_fw() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys
rv = int(sys.argv[1], 0)
b = bytearray(struct.pack('<II', 0x20040000, rv)) + bytes(0x300 - 8)
b += bytes((i * 7 + rv) & 0xff for i in range(16384 - len(b)))
open(sys.argv[2], 'wb').write(b)
EOF
}

# make_b0 FW_VERSION OUTDIR: both variants of the bootloader at fw_info
# version FW_VERSION (MCUboot header version FW_VERSION.0.0), and
# OUTDIR/dfu_mcuboot.zip.
make_b0() {
    mkdir -p "$2" &&
        make_fw 0x8301 "$2/fw.bin" &&
        "$TOOL" bootloader --fw-version "$1" --b0-key "$B0_KEY" --mcuboot-key "$KEY" \
            -v "$1.0.0" --s0-addr 0x8000 --s1-addr 0x15000 -S 0x6e000 "$2/fw.bin" "$2" \
            >/dev/null &&
        "$TOOL" pack mcuboot --s0 "$2/signed_by_mcuboot_and_b0_mcuboot.bin" \
            --s1 "$2/signed_by_mcuboot_and_b0_s1_image.bin" --board nrf52840dk_nrf52840 \
            -o "$2/dfu_mcuboot.zip"
}

# make_b0_app OUT: a self-confirming application linked for mcuboot_primary.
make_b0_app() {
    "$TOOL" app-payload -b confirm -n 8192 --reset 0x22301 "$WORK/b0app.payload" &&
        "$TOOL" sign -k "$KEY" -v 1.0.0 -H 0x200 --pad-header --align 4 -S 0x6e000 \
            "$WORK/b0app.payload" "$1"
}

# start_b0_device FLASH EXTRA...: the simulated nRF52840 with its first
# stage provisioned for B0_KEY, MCUboot trusting KEY_PUB.
start_b0_device() {
    flash=$1
    shift
    start_device --flash "$flash" --layout nrf52840 --udp 127.0.0.1:0 --b0-key "$B0_KEY" \
        --trust-key "$KEY_PUB" "$@"
}

# b0_active: the active_b0_slot the device reports ("none" without one).
b0_active() {
    "$SMPDFU" --json -c "udp:$UDP" info >"$WORK/b0_info.json" 2>&1 &&
        json_get "$WORK/b0_info.json" "j.get('active_b0_slot', 'none')"
}
