#!/usr/bin/env bash
# palscope login / logout: the device code flow against the fake identity
# platform (pending, slow_down, approved, declined, expired, bad code, a token
# for the wrong tenant) and the token cache (location, modes, atomic
# replacement, kept when a sign-in fails, deleted by logout). The refresh
# token never reaches stderr (at -vv), stdout or the fake's request log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"

start_server "$USERS_JSON"

# Approved after a few authorization_pending polls, with -vv.
LOGIN_GLOBAL=(-vv)
login_start
wait_code
grep -q "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code $UC to authenticate." "$T/login.err" || fail "Microsoft's message on stderr"
sleep 2.2
fake_post /_fake/devicecode/approve "{\"user_code\":\"$UC\",\"user\":\"$ALICE\",\"mfa\":true}" >/dev/null
login_wait
LOGIN_GLOBAL=()
expect_eq "login exit" 0 "$LOGIN_RC"
polls=$(grep -c '"path": "/organizations/oauth2/v2.0/token"' "$T/requests.jsonl")
[ "$polls" -ge 3 ] || fail "expected >= 3 polls (pending, pending, token), got $polls"
grep -q "signed in as alice@fabrikam.example to tenant $HOME_T" "$T/login.err" || { cat "$T/login.err"; fail "signed-in line"; }
grep -q "multi-factor authentication: yes" "$T/login.err" || fail "mfa shown"
[ -s "$T/login.out" ] && fail "login printed on stdout"
expect_eq "cache directory mode" 700 "$(mode "$XDG_STATE_HOME/palscope")"
expect_eq "cache file mode" 600 "$(mode "$CACHE")"
RT=$(cached_rt)
[ ${#RT} -gt 20 ] || fail "refresh token kept"
expect_eq "cache: home tenant, object id, upn, client" \
	"$HOME_T $ALICE alice@fabrikam.example 04b07795-8ddb-461a-bbee-02f9e1bf7b46 $URL" \
	"$("$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["home_tenant"], c["object_id"], c["upn"], c["client_id"], c["login_url"])' "$CACHE")"
not_anywhere "$RT" "refresh token" "$T/login.err" "$T/login.out" "$T/requests.jsonl"
grep -q '"device_code=<redacted>\|device_code=%3Credacted%3E\|device_code=<redacted>' "$T/requests.jsonl" || grep -q 'redacted' "$T/requests.jsonl" || fail "the fake redacts device codes"
ok "device code approved after authorization_pending; cache 0700/0600; no token on stderr at -vv or in the log"

# A second sign-in replaces the file by rename (new inode, no temporary file left).
ino1=$(stat -c %i "$CACHE")
login_as "$ALICE" false
ino2=$(stat -c %i "$CACHE")
[ "$ino1" != "$ino2" ] || fail "the cache is replaced by a new file (rename), not rewritten in place"
expect_eq "nothing else in the cache directory" "login.json" "$(ls -A "$XDG_STATE_HOME/palscope")"
[ "$(cached_rt)" != "$RT" ] || fail "the new sign-in's refresh token is kept"
grep -q "multi-factor authentication: no" "$T/login.err" || fail "no mfa shown"
ok "a new sign-in replaces the cache atomically"

# Declined, unknown device code, a token for another tenant: exit 1, the cache is left as it was.
before=$(sha256sum "$CACHE")
login_start
wait_code
fake_post /_fake/devicecode/decline "{\"user_code\":\"$UC\"}" >/dev/null
login_wait
expect_eq "declined: exit" 1 "$LOGIN_RC"
grep -q "the sign-in was declined" "$T/login.err" || { cat "$T/login.err"; fail "declined message"; }
login_start
wait_code
fake_post /_fake/devicecode/forget "{\"user_code\":\"$UC\"}" >/dev/null
login_wait
expect_eq "bad_verification_code: exit" 1 "$LOGIN_RC"
grep -q "did not recognise the device code (bad_verification_code)" "$T/login.err" || { cat "$T/login.err"; fail "bad code message"; }
WWI=$(tenant 6)
login_start --tenant "$WWI"
wait_code
fake_post /_fake/devicecode/approve "{\"user_code\":\"$UC\",\"user\":\"$ALICE\",\"mfa\":true}" >/dev/null
login_wait
expect_eq "wrong tid: exit" 1 "$LOGIN_RC"
grep -q "the token is for tenant $HOME_T, not for tenant $WWI that was asked: not used" "$T/login.err" || { cat "$T/login.err"; fail "wrong tid message"; }
expect_eq "cache unchanged by failed sign-ins" "$before" "$(sha256sum "$CACHE")"
ok "declined, bad_verification_code and a wrong-tenant token fail and keep the old sign-in"

# A guest tenant sign-in (--tenant): the home tenant and its object id stay.
login_as "$ALICE" true --tenant "$(tenant 3)"
grep -q "signed in as alice@fabrikam.example to tenant $(tenant 3) (object id $(guest 3), home tenant $HOME_T" "$T/login.err" || { cat "$T/login.err"; fail "guest sign-in line"; }
expect_eq "cache after a guest sign-in" "$HOME_T $ALICE" \
	"$("$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["home_tenant"], c["object_id"])' "$CACHE")"
ok "login --tenant GUEST keeps the home tenant"

# logout deletes the cache; a second logout says so.
"$PALSCOPE" logout 2>"$T/logout.err" || fail "logout"
grep -q "signed out (deleted $CACHE)" "$T/logout.err" || fail "logout message"
[ -e "$CACHE" ] && fail "logout deletes the cache"
"$PALSCOPE" logout 2>"$T/logout.err" || fail "second logout"
grep -q "not signed in" "$T/logout.err" || fail "second logout message"
ok "logout"

# slow_down adds 5 s to the interval; an unapproved code expires.
stop_server
users_scenario "$T/slow.json" 's["device_code"] = {"interval": 1, "expires_in": 60, "slow_down_polls": 1}'
start_server "$T/slow.json"
: >"$T/requests.jsonl" # the earlier server's requests are not this sign-in's
login_start
wait_code
sleep 1.5
fake_post /_fake/devicecode/approve "{\"user_code\":\"$UC\",\"user\":\"$ALICE\",\"mfa\":true}" >/dev/null
login_wait
expect_eq "slow_down login: exit" 0 "$LOGIN_RC"
gap=$("$PYTHON" - "$T/requests.jsonl" <<'PY'
import json, sys
ts = [r["ts"] for r in map(json.loads, open(sys.argv[1])) if r["path"].endswith("/oauth2/v2.0/token")]
print("%.1f" % (ts[1] - ts[0]))
PY
)
"$PYTHON" -c "import sys; sys.exit(0 if float('$gap') >= 5.9 else 1)" || fail "after slow_down the next poll waits interval + 5 s (gap $gap s)"
ok "slow_down: next poll after $gap s"
stop_server
users_scenario "$T/expire.json" 's["device_code"] = {"interval": 1, "expires_in": 2}'
start_server "$T/expire.json"
"$PALSCOPE" logout 2>/dev/null
login_start
wait_code
login_wait
expect_eq "expired: exit" 1 "$LOGIN_RC"
grep -q "the code expired before the sign-in was completed" "$T/login.err" || { cat "$T/login.err"; fail "expired message"; }
[ -e "$CACHE" ] && fail "nothing cached after an expired code"
ok "an unapproved code expires"

# Without XDG_STATE_HOME the cache is under ~/.local/state/palscope.
stop_server
start_server "$USERS_JSON"
(
	unset XDG_STATE_HOME
	export HOME="$T/home"
	mkdir -p "$HOME"
	CACHE="$HOME/.local/state/palscope/login.json"
	login_as "$ALICE" true
	expect_eq "default cache location mode" 600 "$(mode "$CACHE")"
	expect_eq "default cache directory mode" 700 "$(mode "$HOME/.local/state/palscope")"
)
ok "default location ~/.local/state/palscope"
