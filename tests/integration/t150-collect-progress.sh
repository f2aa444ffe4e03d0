#!/usr/bin/env bash
# collect draws its progress line on stderr only when stderr is a terminal: identities done/total,
# requests, retries, elapsed, redrawn in place (\r) and ended with a newline; the final counts
# agree with what the run stored. With stderr a file or --quiet there is no progress line.
. "$(dirname "$0")/lib.sh"
demo_env
# 80 ms per request, so a run takes long enough (seconds) for redraws every 500 ms.
start_server "$FAKE/scenarios/demo.json" --latency-ms 80
DB=$T/p.db
ACCOUNTS="$FAKE/scenarios/demo-accounts.csv"
n_accounts=$(($(grep -cv '^[[:space:]]*$' "$ACCOUNTS") - 1))

# run_tty OUT ARGS...: palscope with stderr on a pseudo-terminal, its bytes to OUT; status in RC
run_tty() {
	local out=$1; shift
	set +e
	"$PYTHON" - "$out" "$PALSCOPE" "$@" <<'PY'
import os, pty, subprocess, sys
out, cmd = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:          # EIO: the child closed its side
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
sys.exit(p.wait())
PY
	RC=$?
	set -e
}

run_tty "$T/tty.err" collect --db "$DB" --accounts "$ACCOUNTS" --partner-id 1234567 \
	--period 2026-10 --arm-url "$URL" --login-url "$URL"
no_sanitizer_report "$T/tty.err"
[ "$RC" -le 1 ] || { cat "$T/tty.err" >&2; fail "collect on a terminal exited $RC"; }
tr '\r' '\n' <"$T/tty.err" | grep -E '^palscope: identities [0-9]+/[0-9]+, requests [0-9]+, retries [0-9]+, [0-9]+\.[0-9]s' >"$T/lines" ||
	{ cat -v "$T/tty.err" >&2; fail "no progress line on the terminal"; }
grep -q $'\rpalscope: identities' "$T/tty.err" || fail "progress is not redrawn in place (\\r)"
last=$(tail -n 1 "$T/lines")
requests=$(q "$DB" "select requests from run")
retries=$(q "$DB" "select retries from run")
expect_eq "final progress line" "palscope: identities $n_accounts/$n_accounts, requests $requests, retries $retries," \
	"$(echo "$last" | sed -E 's/ [0-9]+\.[0-9]s.*$//')"
# the line is ended before the summary is printed
tr '\r' '\n' <"$T/tty.err" | grep -A1 -F "$last" | tail -n 1 | grep -qv '^palscope: identities' ||
	fail "the final progress line is not ended with a newline"
[ "$(wc -l <"$T/lines")" -ge 2 ] || fail "progress drawn only once on a run of several seconds"
ok "progress line on a terminal: $(wc -l <"$T/lines") draws, final counts match the run"

run_tty "$T/quiet.err" collect --db "$T/q.db" --accounts "$ACCOUNTS" --partner-id 1234567 \
	--period 2026-10 --arm-url "$URL" --login-url "$URL" --quiet
no_sanitizer_report "$T/quiet.err"
! grep -q 'identities [0-9]*/' "$T/quiet.err" || fail "--quiet drew a progress line"
ok "--quiet on a terminal: no progress line"

collect --db "$T/f.db" --accounts "$ACCOUNTS" --partner-id 1234567 --period 2026-10
! grep -q 'identities [0-9]*/' "$T/collect.err" || fail "progress drawn into a file"
ok "stderr not a terminal: no progress line"
