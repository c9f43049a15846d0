#!/bin/sh
# smpdfu-image end to end: every verb, the exit codes and the messages a
# person sees, on the imgtool vectors and on freshly generated keys.
set -eu
TOOL="$BUILD/tools/smpdfu-image/smpdfu-image"
V="$VECTORS/images"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { # expect_fail "message part" command...
    want="$1"; shift
    if "$@" >"$T/out" 2>"$T/err"; then fail "succeeded: $*"; fi
    grep -q -- "$want" "$T/err" || { cat "$T/err" >&2; fail "no \"$want\" from: $*"; }
}

# getpub of imgtool's keys gives imgtool's public key bytes.
for k in ecdsa-p256 ecdsa-p384 ed25519 rsa-2048 rsa-3072; do
    "$TOOL" getpub -k "$V/keys/$k.pem" -e raw -o "$T/$k.der"
    cmp "$T/$k.der" "$V/keys/$k.pub.der" || fail "getpub raw $k"
    "$TOOL" getpub -k "$V/keys/$k.pub.pem" -e raw -o "$T/$k.pub.der"
    cmp "$T/$k.pub.der" "$V/keys/$k.pub.der" || fail "getpub raw of the public PEM $k"
    "$TOOL" getpub -k "$V/keys/$k.pem" > "$T/$k.c"
    grep -q "_pub_key_len = $(wc -c < "$V/keys/$k.pub.der");" "$T/$k.c" || fail "getpub C $k"
    "$TOOL" getpub -k "$V/keys/$k.pem" -e pem > "$T/$k.pub.pem"
    grep -q "BEGIN PUBLIC KEY" "$T/$k.pub.pem" || fail "getpub pem $k"
done

# Every vector verifies with its key and prints imgtool's digest.
for f in "$V"/signed/*.verify.txt; do
    n=$(basename "$f" .verify.txt)
    k=$(grep "^$n:" "$V/commands.txt" | sed 's/.* -k \([^ ]*\).*/\1/')
    "$TOOL" verify -k "$V/$k" "$V/signed/$n.bin" > "$T/v.txt"
    grep "Image digest" "$f" | cmp - "$(grep "Image digest" "$T/v.txt" > "$T/d.txt"; echo "$T/d.txt")" \
        || fail "digest of $n"
done

# Fresh keys of every type: sign, verify, refuse with another key.
printf 'payload-%04d\n' $(seq 1 2000) > "$T/app.bin"
for t in ecdsa-p256 ecdsa-p384 ed25519 rsa-2048 rsa-3072; do
    "$TOOL" keygen -t "$t" -k "$T/$t.pem"
    "$TOOL" sign -k "$T/$t.pem" -v 1.2.3+4 -H 0x200 --pad-header --align 4 -S 0x20000 \
        "$T/app.bin" "$T/$t.signed"
    "$TOOL" verify -k "$T/$t.pem" "$T/$t.signed" > /dev/null || fail "verify fresh $t"
    expect_fail "no trusted key" "$TOOL" verify -k "$V/keys/$t.pem" "$T/$t.signed"
done

# dumpinfo: JSON and text, trailer of a padded image.
"$TOOL" sign -k "$T/ed25519.pem" -v 2.0.0 -H 0x200 --pad-header --align 4 -S 0x20000 --confirm \
    "$T/app.bin" "$T/confirmed.bin"
"$TOOL" dumpinfo --json "$T/confirmed.bin" > "$T/info.json"
grep -q '"image_ok":	1' "$T/info.json" || fail "dumpinfo trailer image_ok"
grep -q '"version":	"2.0.0+0"' "$T/info.json" || fail "dumpinfo version"
"$TOOL" dumpinfo "$T/confirmed.bin" | grep -q "ED25519" || fail "dumpinfo text"

# Bad input: a specific message and a non-zero exit.
head -c 5000 "$V/signed/ed25519-basic.bin" > "$T/short.bin"
expect_fail "verification failed" "$TOOL" verify -k "$V/keys/ed25519.pem" "$T/short.bin"
printf 'not a key\n' > "$T/bad.pem"
expect_fail "not a key file" "$TOOL" verify -k "$T/bad.pem" "$V/signed/ed25519-basic.bin"
expect_fail "not a key file" "$TOOL" sign -k "$T/bad.pem" -v 1 -H 0x200 --pad-header -S 0x20000 \
    "$T/app.bin" "$T/x.bin"
expect_fail "exceeds the slot size" "$TOOL" sign -k "$T/ed25519.pem" -v 1 -H 0x200 --pad-header \
    -S 0x1000 "$T/app.bin" "$T/x.bin"
expect_fail "hash" sh -c "cp '$V/signed/ed25519-basic.bin' '$T/c.bin' && \
    printf '\\377' | dd of='$T/c.bin' bs=1 seek=1000 conv=notrunc 2>/dev/null && \
    '$TOOL' verify -k '$V/keys/ed25519.pem' '$T/c.bin'"
expect_fail "magic" "$TOOL" dumpinfo "$T/app.bin"
expect_fail "unknown key type" "$TOOL" keygen -t dsa -k "$T/x.pem"
expect_fail "unknown command" "$TOOL" frobnicate
echo "image_cli: OK"
