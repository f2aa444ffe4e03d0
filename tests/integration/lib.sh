# Shared helpers for integration tests (sourced, not run).
# Environment from ctest: PALSCOPE (binary), SRCDIR (repository root), PYTHON.
set -euo pipefail
: "${PALSCOPE:?PALSCOPE must point at the palscope binary}"
: "${SRCDIR:?SRCDIR must point at the repository root}"
PYTHON=${PYTHON:-python3}
export LC_ALL=C TZ=UTC
# Short backoff so retry tests stay fast; Retry-After hints are still honoured.
export PALSCOPE_RETRY_BASE_MS=${PALSCOPE_RETRY_BASE_MS:-50}

FAKE="$SRCDIR/tests/fake_azure"
T=$(mktemp -d "${TMPDIR:-/tmp}/palscope-test.XXXXXX")
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T" >&2; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# start_server SCENARIO [server args...]: sets PORT and URL, logs to $T/requests.jsonl
start_server() {
	local scenario=$1; shift
	# The parent truncates the file: the child's own redirection may run later.
	: >"$T/server.out"
	"$PYTHON" "$FAKE/server.py" --scenario "$scenario" --log "$T/requests.jsonl" "$@" >>"$T/server.out" 2>"$T/server.err" &
	SERVER_PID=$!
	PORT=
	for _ in $(seq 1 300); do
		PORT=$(awk '/^PORT/ {print $2; exit}' "$T/server.out")
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$PORT" ] || { cat "$T/server.err" >&2; fail "fake server did not start"; }
	URL="http://127.0.0.1:$PORT"
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	SERVER_PID=
}

# collect [args...]: palscope collect against the fake server; status in $RC
collect() {
	set +e
	"$PALSCOPE" collect --arm-url "$URL" --login-url "$URL" "$@" >"$T/collect.out" 2>"$T/collect.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/collect.err"
}

# Under ASan/UBSan a report in stderr fails the test whatever the exit status.
no_sanitizer_report() {
	if grep -Eq "(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)" "$@" 2>/dev/null; then
		cat "$@" >&2
		fail "sanitizer report in $*"
	fi
}

q() { sqlite3 -batch -noheader "$1" "$2"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

demo_env() { set -a; . "$FAKE/scenarios/demo-secrets.env"; set +a; }
