# Helpers for the signed-in user tests (palscope login, collect/link --user),
# sourced after lib.sh. The scenario is tests/fake_azure/scenarios/users.json:
# Alice of Fabrikam (home tenant HOME_T) is a guest in tenants f0000001..09.
HOME_T=f0000000-0000-4000-8000-000000000000
ALICE=0f000000-0000-4000-8000-000000000000
BOB=0f000050-0000-4000-8000-000000000000
tenant() { printf 'f00000%02d-0000-4000-8000-000000000000' "$1"; }
guest() { printf '0f0000%02d-0000-4000-8000-000000000000' "$1"; }
USERS_JSON="$FAKE/scenarios/users.json"
# Every test has its own token cache.
export XDG_STATE_HOME="$T/state"
CACHE="$XDG_STATE_HOME/palscope/login.json"

# users_scenario OUT PYTHON-STATEMENTS: a copy of users.json changed by the statements (on s).
users_scenario() {
	"$PYTHON" - "$USERS_JSON" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"))
PY
}

# fake_post ROUTE JSON: a test-only route of the fake (what the person does in the browser).
fake_post() {
	"$PYTHON" - "$URL$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")
try:
    print(urllib.request.urlopen(req, timeout=10).read().decode())
except Exception as e:
    print("fake_post failed: %s" % e, file=sys.stderr); sys.exit(1)
PY
}

# login_start [ARGS]: palscope login in the background (LOGIN_PID); stderr in $T/login.err.
login_start() {
	# The parent empties the files: the background child's own redirection may run after
	# wait_code has already read the previous login's code (a 404 on approve under load).
	: >"$T/login.out"
	: >"$T/login.err"
	"$PALSCOPE" "${LOGIN_GLOBAL[@]}" login --login-url "$URL" "$@" >"$T/login.out" 2>"$T/login.err" &
	LOGIN_PID=$!
}
LOGIN_GLOBAL=()

# wait_code: the user code Microsoft's message shows, into UC.
wait_code() {
	UC=
	for _ in $(seq 1 150); do
		UC=$(sed -n 's/.*enter the code \([A-Z0-9]*\) to authenticate.*/\1/p' "$T/login.err" | head -1)
		[ -n "$UC" ] && return 0
		kill -0 "$LOGIN_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/login.err" >&2
	fail "palscope login showed no code"
}

# login_wait: wait for palscope login; its status in LOGIN_RC.
login_wait() {
	set +e
	wait "$LOGIN_PID"
	LOGIN_RC=$?
	set -e
	no_sanitizer_report "$T/login.err"
}

# login_as USER MFA(true|false) [ARGS]: a complete sign-in approved by USER.
login_as() {
	local user=$1 mfa=$2
	shift 2
	login_start "$@"
	wait_code
	fake_post /_fake/devicecode/approve "{\"user_code\":\"$UC\",\"user\":\"$user\",\"mfa\":$mfa}" >/dev/null
	login_wait
	[ "$LOGIN_RC" -eq 0 ] || { cat "$T/login.err" >&2; fail "login as $user"; }
}

# cached_rt: the refresh token in the cache (for checks that it appears nowhere else).
cached_rt() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refresh_token"])' "$CACHE"; }

# mode FILE: octal permission bits.
mode() { stat -c %a "$1"; }

# not_anywhere SECRET WHAT FILES...: SECRET is in none of FILES.
not_anywhere() {
	local secret=$1 what=$2
	shift 2
	for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -qaF -- "$secret" "$f"; then fail "$what found in $f"; fi
	done
}

# count_tenants_reads: GET /tenants requests in the fake's log, and their statuses
count_tenants_reads() {
	"$PYTHON" - "$T/requests.jsonl" <<'PY'
import json, sys
st = [r["status"] for r in map(json.loads, open(sys.argv[1])) if r["method"] == "GET" and r["path"] == "/tenants"]
print(len(st), ",".join(str(s) for s in st))
PY
}
