# Helpers for the smpdfu-device system tests (sourced; POSIX sh).
# Needs BUILD (build tree), VECTORS (shared/vectors). Sets WORK, DEVICE,
# CLIENT and counts checks in PASS / FAIL.

DEVICE="$BUILD/tools/smpdfu-device/smpdfu-device"
CLIENT="$BUILD/tests/system/smp_test_client"
WORK=$(mktemp -d)
PASS=0
FAIL=0
DEV_PID=
DEV_N=0

cleanup() {
    if [ -n "$DEV_PID" ]; then
        kill "$DEV_PID" 2>/dev/null
        wait "$DEV_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ok() {
    PASS=$((PASS + 1))
    echo "ok - $1"
}

not_ok() {
    FAIL=$((FAIL + 1))
    echo "not ok - $1"
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# has FILE TEXT: FILE contains the fixed string TEXT.
has() {
    grep -qF -- "$2" "$1"
}

# wait_for FILE PATTERN: poll (bounded) until FILE has a line matching the
# extended regex PATTERN.
wait_for() {
    i=0
    while [ $i -lt 300 ]; do
        if grep -qE -- "$2" "$1" 2>/dev/null; then
            return 0
        fi
        if [ -n "$DEV_PID" ] && ! kill -0 "$DEV_PID" 2>/dev/null; then
            return 1
        fi
        i=$((i + 1))
        sleep 0.05
    done
    return 1
}

# start_device ARGS...: run smpdfu-device in the background with ARGS, wait
# until it prints where it listens. Sets UDP (HOST:PORT), PTY, DEV_OUT,
# DEV_LOG. The device binds port 0 and reports the port it got.
start_device() {
    DEV_N=$((DEV_N + 1))
    DEV_OUT="$WORK/device$DEV_N.out"
    DEV_LOG="$WORK/device$DEV_N.log"
    : >"$DEV_OUT"
    "$DEVICE" "$@" >"$DEV_OUT" 2>"$DEV_LOG" &
    DEV_PID=$!
    if ! wait_for "$DEV_OUT" '^listening '; then
        echo "device did not start:"
        cat "$DEV_LOG"
        return 1
    fi
    case "$*" in
    *--udp*) wait_for "$DEV_OUT" '^listening udp ' || return 1 ;;
    esac
    case "$*" in
    *--serial*) wait_for "$DEV_OUT" '^listening serial ' || return 1 ;;
    esac
    UDP=$(sed -n 's/^listening udp //p' "$DEV_OUT")
    PTY=$(sed -n 's/^listening serial //p' "$DEV_OUT")
    return 0
}

stop_device() {
    if [ -n "$DEV_PID" ]; then
        kill "$DEV_PID" 2>/dev/null
        wait "$DEV_PID" 2>/dev/null
        DEV_PID=
    fi
}

kill9_device() {
    if [ -n "$DEV_PID" ]; then
        kill -9 "$DEV_PID" 2>/dev/null
        wait "$DEV_PID" 2>/dev/null
        DEV_PID=
    fi
}

# udp OUTFILE ARGS...: run the client over UDP, output to OUTFILE.
udp() {
    out=$1
    shift
    "$CLIENT" --udp "$UDP" "$@" >"$out" 2>&1
}

# ser OUTFILE ARGS...: the same over the device's pty.
ser() {
    out=$1
    shift
    "$CLIENT" --serial "$PTY" "$@" >"$out" 2>&1
}

finish() {
    stop_device
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
