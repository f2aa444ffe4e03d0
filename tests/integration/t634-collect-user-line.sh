#!/usr/bin/env bash
# auth user in the accounts file: the signed-in user of `palscope login`, one line per tenant (the
# tenant column limits it to that tenant: no listing of the user's tenants, one refresh-token
# redemption each),
# beside service principal lines. A tenant that needs MFA fails that line with the fix; without
# a sign-in the file is refused before the database is touched. The refresh token never reaches
# the database, reports, stderr at -vv or the fake's log. Scenario users.json (lib_user.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
start_server "$USERS_JSON"
{
	echo "tenant_id,auth,label"
	echo "$HOME_T,user,"
	echo "$(tenant 1),user,Alice as guest of tenant 1"
	echo "$(tenant 3),User,"
} >"$T/acc.csv"

collect --db "$T/u.db" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
expect_eq "not signed in: exit" 2 "$RC"
grep -qF "the accounts file has auth user lines but no one is signed in: run palscope login first" "$T/collect.err" \
	|| { cat "$T/collect.err"; fail "not signed in message"; }
[ -e "$T/u.db" ] && fail "no database without a sign-in"
ok "auth user lines without a sign-in: exit 2, no database"

login_as "$ALICE" false
RT0=$(cached_rt)
: >"$T/requests.jsonl"
collect_vv --db "$T/u.db" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect with user lines: exit (tenant 3 needs MFA)" 1 "$RC"
expect_eq "identities: the file's tenants only, as Alice" "$HOME_T|user|alice@fabrikam.example|$ALICE|ok
$(tenant 1)|user|Alice as guest of tenant 1|$(guest 1)|ok
$(tenant 3)|user|alice@fabrikam.example||failed" \
	"$(q "$T/u.db" "select tenant_id, auth_kind, label, coalesce(object_id, ''), status from identity order by identity_id")"
case "$(q "$T/u.db" "select error from identity where tenant_id = '$(tenant 3)'")" in
*"AADSTS50076"*"palscope login --tenant $(tenant 3)"*) ;;
*) fail "tenant 3's error names the MFA fix" ;;
esac
expect_eq "one redemption per line, at the file's tenants" "$HOME_T $(tenant 1) $(tenant 3)" "$("$PYTHON" -c '
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(sorted(e["path"].split("/")[1] for e in log if e.get("path", "").endswith("/oauth2/v2.0/token"))))' "$T/requests.jsonl")"
"$PALSCOPE" report customers --db "$T/u.db" --out "$T/customers.csv"
"$PYTHON" - "$T/customers.csv" <<'PY' || fail "customers report"
import csv, sys
rows = {r["tenant_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
t = lambda n: "f00000%02d-0000-4000-8000-000000000000" % n
assert rows[t(0)]["status"] == "ATTRIBUTED", rows[t(0)]
assert rows[t(1)]["status"] == "ATTRIBUTED", rows[t(1)]
assert (rows[t(3)]["status"], rows[t(3)]["reason_code"]) == ("UNKNOWN", "COLLECTION_FAILED"), rows[t(3)]
assert "AADSTS50076" in rows[t(3)]["explanation"], rows[t(3)]
assert t(2) not in rows, "tenant 2 is not in the file"
PY
ok "auth user lines: the signed-in user in the file's tenants only; an MFA tenant is COLLECTION_FAILED with the fix"

RT1=$(cached_rt)
[ "$RT1" != "$RT0" ] || fail "the newest refresh token is kept after a run with user lines"
sqlite3 "$T/u.db" .dump >"$T/dump.sql"
stop_server
for rt in "$RT0" "$RT1"; do
	not_anywhere "$rt" "a refresh token" "$T/u.db" "$T/dump.sql" "$T/customers.csv" "$T/collect.err" \
		"$T/collect.out" "$T/requests.jsonl"
done
ok "the refresh tokens are in no database, dump, report, stderr (-vv) or log; the newest is cached"

# A user line takes no client or secret columns.
bad_accounts "user with client_id" "bad.csv:2: column 3 ('client_id'): client_id is not used with auth user: leave it empty" \
	"tenant_id,auth,client_id" "$HOME_T,user,c1010001-1111-4000-8000-000000000000"
ok "a user line with a client_id is an error naming file:line:column"

# Two user lines for one tenant are one identity twice; user, az and managed identity lines of
# one tenant are three identities.
bad_accounts "user twice" "bad.csv:3: duplicate identity (same tenant and client as line 2)" \
	"tenant_id,auth" "$HOME_T,user" "$HOME_T,user"
printf '%s\n' "tenant_id,auth" "$(tenant 2),user" "$(tenant 2),az" "$(tenant 2),managed_identity" >"$T/kinds.csv"
mkdir -p "$T/noaz" && printf '#!/bin/sh\necho "ERROR: Please run az login to setup account." >&2\nexit 1\n' >"$T/noaz/az"
chmod +x "$T/noaz/az"
IDENTITY_ENDPOINT=http://127.0.0.1:9/msi/token IDENTITY_HEADER=x PATH="$T/noaz:$PATH" \
	collect --db "$T/kinds.db" --accounts "$T/kinds.csv" --partner-id 1234567 --period 2026-10
expect_eq "three kinds, one tenant: identities" "user|az|managed_identity" \
	"$(q "$T/kinds.db" "select auth_kind from identity order by identity_id" | paste -sd'|')"
ok "a user line twice for a tenant is a duplicate; other kinds in that tenant are identities of their own"
