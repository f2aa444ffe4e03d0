#!/usr/bin/env bash
# collect --user against the fake identity platform and ARM (scenario users.json: Alice of
# Fabrikam, a guest in tenants 01..09): GET /tenants with the home token, one refresh-token
# redemption per tenant, every per-tenant failure classified by its AADSTS code with the fix
# (MFA 50076, Conditional Access 53003, cross-tenant policy 500212, a token for another tenant,
# consent 65001, not in the tenant 50020, sign-in frequency 70043), those tenants' customers
# COLLECTION_FAILED with the explanation while the others are collected; the newest refresh token
# kept; `login --tenant` fixing the MFA tenant; --tenants; --no-cache; an expired sign-in; a
# service principal's token for another tenant refused. The refresh tokens never reach the
# database, the reports, stderr at -vv or the fake's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"

start_server "$USERS_JSON"
DB="$T/u.db"

# Not signed in: a usage error, no database.
collect --user --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "not signed in: exit" 2 "$RC"
grep -q "not signed in: run palscope login first" "$T/collect.err" || { cat "$T/collect.err"; fail "not signed in message"; }
[ -e "$DB" ] && fail "no database without a sign-in"

login_as "$ALICE" false
RT0=$(cached_rt)
serial0=$(fake_post /_fake/refresh_tokens/info "{\"refresh_token\":\"$RT0\"}" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["serial"])')
"$PALSCOPE" -vv collect --arm-url "$URL" --login-url "$URL" --user --partner-id 1234567 --db "$DB" \
	--period 2026-10 >"$T/collect.out" 2>"$T/collect.err" && RC=0 || RC=$?
no_sanitizer_report "$T/collect.err"
expect_eq "collect --user with failing tenants: exit" 1 "$RC"
expect_eq "one identity per tenant of GET /tenants, home first" \
	"$HOME_T|$ALICE|ok
$(tenant 1)|$(guest 1)|ok
$(tenant 2)|$(guest 2)|ok
$(tenant 3)||failed
$(tenant 4)||failed
$(tenant 5)||failed
$(tenant 6)||failed
$(tenant 7)||failed
$(tenant 8)||failed
$(tenant 9)||failed" \
	"$(q "$DB" "select tenant_id, coalesce(object_id, ''), status from identity order by identity_id")"
expect_eq "user identities: kind, UPN, named by the UPN, no client id" "10|user|alice@fabrikam.example|alice@fabrikam.example|" \
	"$(q "$DB" "select count(*), auth_kind, upn, label, coalesce(client_id, '') from identity group by auth_kind, upn, label, client_id")"
# Each failed tenant's error carries its AADSTS code and the plain fix.
while IFS='|' read -r n pattern; do
	err=$(q "$DB" "select error from identity where tenant_id = '$(tenant "$n")'")
	case "$err" in
	*"$pattern"*) ;;
	*) fail "tenant $n: expected '$pattern' in '$err'" ;;
	esac
done <<EOF
3|requires multi-factor authentication (AADSTS50076): sign in to it once: palscope login --tenant $(tenant 3)
4|a Conditional Access policy of tenant $(tenant 4) blocks this sign-in (AADSTS53003)
5|cross-tenant access policy does not allow access to tenant $(tenant 5) (AADSTS500212)
6|the token is for tenant $HOME_T, not tenant $(tenant 6): not used
7|is not consented to in tenant $(tenant 7) (AADSTS65001)
8|your account is not a member or guest of tenant $(tenant 8) (AADSTS50020)
9|the sign-in has expired or was revoked (AADSTS70043, a Conditional Access sign-in frequency): sign in again: palscope login --tenant $(tenant 9)
EOF
# The wrong-tid token was never used: no ARM request for tenant 6 was sent with it.
"$PYTHON" - "$T/requests.jsonl" "$(tenant 6)" <<'PY' || fail "a token for another tenant was used"
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    if "/oauth2/" not in r["path"] and r.get("oid") == "0f000006-0000-4000-8000-000000000000":
        sys.exit(1)
PY
ok "collect --user: $(q "$DB" "select count(*) from identity where status = 'ok'") tenants collected, 7 failures classified by AADSTS code"

"$PALSCOPE" report customers --db "$DB" --out "$T/customers.csv"
"$PYTHON" - "$T/customers.csv" "$HOME_T" <<'PY' || fail "customers report"
import csv, sys
rows = {r["tenant_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
t = lambda n: "f00000%02d-0000-4000-8000-000000000000" % n
assert rows[t(0)]["status"] == "ATTRIBUTED", rows[t(0)]
assert rows[t(1)]["status"] == "ATTRIBUTED", rows[t(1)]
assert rows[t(2)]["reason_code"] == "NO_LINK", rows[t(2)]
for n, fix in [(3, "palscope login --tenant " + t(3)), (4, "AADSTS53003"), (5, "AADSTS500212"),
               (6, "not tenant " + t(6)), (7, "AADSTS65001"), (8, "AADSTS50020"), (9, "AADSTS70043")]:
    r = rows[t(n)]
    assert (r["status"], r["reason_code"]) == ("UNKNOWN", "COLLECTION_FAILED"), r
    assert fix in r["explanation"] and "alice@fabrikam.example" in r["explanation"], r
PY
ok "failed tenants are COLLECTION_FAILED with the fix in the explanation; the others are evaluated"

# The newest refresh token is kept (every redemption answered a new one).
RT1=$(cached_rt)
[ "$RT1" != "$RT0" ] || fail "the cache keeps a newer refresh token after collect"
serial1=$(fake_post /_fake/refresh_tokens/info "{\"refresh_token\":\"$RT1\"}" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["serial"] if d["known"] else -1)')
[ "$serial1" -gt "$serial0" ] || fail "the cached refresh token ($serial1) is newer than the login's ($serial0)"
expect_eq "cache mode after collect" 600 "$(mode "$CACHE")"
for rt in "$RT0" "$RT1"; do
	not_anywhere "$rt" "refresh token" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl" \
		"$T/customers.csv" "$DB" "$DB-wal"
done
sqlite3 "$DB" .dump >"$T/dump.sql"
not_anywhere "$RT1" "refresh token" "$T/dump.sql"
grep -q "refresh_token=<redacted>\|redacted" "$T/requests.jsonl" || fail "the fake redacts refresh tokens"
ok "the newest refresh token is kept (serial $serial0 -> $serial1), in no other file (stderr at -vv, db, report, log)"

# Signing in to the MFA tenant once (login --tenant) fixes it.
login_as "$ALICE" true --tenant "$(tenant 3)"
printf 'Tenant ID,name\n%s,Tailspin\n%s,Fabrikam\n' "$(tenant 3)" "$HOME_T" >"$T/tenants.csv"
: >"$T/requests.jsonl"
collect --user --tenants "$T/tenants.csv" --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "--tenants after login --tenant: exit" 0 "$RC"
expect_eq "--tenants: only those tenants, in file order" "$(tenant 3)|$(guest 3)|ok
$HOME_T|$ALICE|ok" "$(q "$DB" "select tenant_id, object_id, status from identity where run_id = 2 order by identity_id")"
grep -q '"path": "/tenants"' "$T/requests.jsonl" || fail "the identities read their tenants"
ok "--tenants: only the listed tenants; login --tenant T fixes the MFA tenant"

# A bad --tenants file: one error naming file, line, column; the database is not touched.
before=$(sha256sum "$DB")
printf 'tenant_id\n%s\nnot-a-guid\n' "$HOME_T" >"$T/bad.csv"
collect --user --tenants "$T/bad.csv" --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "bad --tenants: exit" 2 "$RC"
grep -q "bad.csv:3: column 1 ('tenant_id'): tenant_id 'not-a-guid' is not a GUID" "$T/collect.err" || { cat "$T/collect.err"; fail "bad --tenants message"; }
printf 'tenant_id\n%s\n%s\n' "$HOME_T" "$HOME_T" >"$T/dup.csv"
collect --user --tenants "$T/dup.csv" --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "duplicate --tenants: exit" 2 "$RC"
grep -q "dup.csv:3: .*listed twice" "$T/collect.err" || { cat "$T/collect.err"; fail "duplicate tenant message"; }
collect --tenants "$T/tenants.csv" --partner-id 1234567 --db "$DB"
expect_eq "--tenants without --user: exit" 2 "$RC"
expect_eq "database untouched by usage errors" "$before" "$(sha256sum "$DB")"
ok "bad --tenants files are one-line errors; the database is untouched"

# An expired sign-in: collect stops before the database with the fix.
fake_post /_fake/refresh_tokens/invalidate '{"code": 700082}' >/dev/null
collect --user --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "expired sign-in: exit" 1 "$RC"
grep -q "home tenant $HOME_T: sign-in failed: the sign-in has expired or was revoked (AADSTS700082, unused for too long): sign in again: palscope login" "$T/collect.err" || { cat "$T/collect.err"; fail "expired sign-in message"; }
expect_eq "no run for an expired sign-in" 2 "$(q "$DB" "select count(*) from run")"
ok "an expired refresh token: 'sign in again', nothing stored"

# --no-cache: a device code sign-in for this run only; the cache is neither read nor written.
"$PALSCOPE" logout 2>/dev/null
"$PALSCOPE" collect --arm-url "$URL" --login-url "$URL" --user --no-cache --tenants "$T/tenants.csv" \
	--partner-id 1234567 --db "$DB" --period 2026-10 >"$T/nc.out" 2>"$T/nc.err" &
NC_PID=$!
UC=
for _ in $(seq 1 150); do
	UC=$(sed -n 's/.*enter the code \([A-Z0-9]*\) to authenticate.*/\1/p' "$T/nc.err" | head -1)
	[ -n "$UC" ] && break
	sleep 0.1
done
[ -n "$UC" ] || { cat "$T/nc.err"; fail "--no-cache shows a device code"; }
fake_post /_fake/devicecode/approve "{\"user_code\":\"$UC\",\"user\":\"$ALICE\",\"mfa\":true}" >/dev/null
set +e
wait "$NC_PID"
RC=$?
set -e
no_sanitizer_report "$T/nc.err"
# tenant 3 needs MFA of this grant in that tenant: the device code signed in to the home tenant only
expect_eq "--no-cache: exit (tenant 3 asks for MFA there)" 1 "$RC"
expect_eq "--no-cache run" "$HOME_T|ok" "$(q "$DB" "select tenant_id, status from identity where run_id = 3 and status = 'ok'")"
[ -e "$CACHE" ] && fail "--no-cache keeps nothing"
ok "--no-cache: signed in for the run only"

# A service principal whose token names another tenant: an error, the token is not used.
stop_server
users_scenario "$T/sp.json" 's["principals"].append({"id": "0b0000aa-0000-4000-8000-000000000000", "tenantId": "f0000001-0000-4000-8000-000000000000", "kind": "ServicePrincipal", "displayName": "contoso-sp", "clientId": "c10000aa-0000-4000-8000-000000000000", "clientSecret": "fake-secret-aa", "token_tid": "f0000002-0000-4000-8000-000000000000"})'
start_server "$T/sp.json"
printf 'tenant_id,client_id,secret_env\n%s,c10000aa-0000-4000-8000-000000000000,SP_SECRET\n' "$(tenant 1)" >"$T/sp.csv"
SP_SECRET=fake-secret-aa collect --accounts "$T/sp.csv" --partner-id 1234567 --db "$T/sp.db" --period 2026-10
expect_eq "SP token for another tenant: exit" 1 "$RC"
expect_eq "SP token for another tenant: failed, not used" \
	"failed|sign-in failed: the token is for tenant $(tenant 2), not tenant $(tenant 1): not used" \
	"$(q "$T/sp.db" "select status, error from identity")"
expect_eq "no ARM request with that token" 0 \
	"$(grep -v '/oauth2/' "$T/requests.jsonl" | grep -c '0b0000aa' || true)"
ok "a service principal's token for another tenant is refused"
