#!/usr/bin/env bash
# palscope merge: two people's databases (Alice collected her home tenant, Contoso and
# Northwind with collect --user; Bob his home tenant) merged into one: Bob's run is copied with
# its identities and rows renumbered, the other file is not changed, merging again copies nothing,
# and the combined reports name both runs and whose sign-ins they are. A database of an older
# schema (the rules fixture at the schema before migration *_user_identities) merges too; a file
# that is not a palscope database is refused and nothing is copied.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"

start_server "$USERS_JSON"
printf 'tenant_id\n%s\n%s\n%s\n' "$HOME_T" "$(tenant 1)" "$(tenant 2)" >"$T/alice.csv"
printf 'tenant_id\n%s\n' "$HOME_T" >"$T/bob.csv"
login_as "$ALICE" true
collect --user --tenants "$T/alice.csv" --partner-id 1234567 --db "$T/alice.db" --period 2026-10
expect_eq "Alice's collect" 0 "$RC"
login_as "$BOB" true
collect --user --tenants "$T/bob.csv" --partner-id 1234567 --db "$T/bob.db" --period 2026-10
expect_eq "Bob's collect" 0 "$RC"
bob_rows() { q "$1" "select (select count(*) from identity) || '/' || (select count(*) from subscription) || '/' || (select count(*) from role_assignment) || '/' || (select count(*) from cost_daily) || '/' || (select count(*) from partner_link)"; }
bob_before=$(bob_rows "$T/bob.db")
bob_sum=$(sha256sum <"$T/bob.db")

"$PALSCOPE" merge --db "$T/alice.db" "$T/bob.db" 2>"$T/merge.err" || { cat "$T/merge.err"; fail "merge"; }
no_sanitizer_report "$T/merge.err"
grep -q "run 1 of $T/bob.db (collect 2026-10 complete, .*) is run 2 here; signed in as: bob@fabrikam.example" "$T/merge.err" || { cat "$T/merge.err"; fail "merge names the run and whose sign-in"; }
expect_eq "Bob's file unchanged" "$bob_sum" "$(sha256sum <"$T/bob.db")"
expect_eq "runs and uuids" "$(q "$T/bob.db" "select uuid from run")" "$(q "$T/alice.db" "select uuid from run where run_id = 2")"
expect_eq "Bob's identity, renumbered" "2|$HOME_T|$BOB|bob@fabrikam.example|ok" \
	"$(q "$T/alice.db" "select run_id, tenant_id, object_id, upn, status from identity where identity_id = 4")"
expect_eq "Bob's rows copied with it" "1/$(q "$T/bob.db" "select count(*) from subscription")/$(q "$T/bob.db" "select count(*) from role_assignment")/$(q "$T/bob.db" "select count(*) from cost_daily")/$(q "$T/bob.db" "select count(*) from partner_link")" \
	"$(q "$T/alice.db" "select (select count(*) from identity where run_id = 2) || '/' || (select count(*) from subscription s join identity i using (identity_id) where i.run_id = 2) || '/' || (select count(*) from role_assignment s join identity i using (identity_id) where i.run_id = 2) || '/' || (select count(*) from cost_daily s join identity i using (identity_id) where i.run_id = 2) || '/' || (select count(*) from partner_link s join identity i using (identity_id) where i.run_id = 2)")"
[ "$bob_before" = "$(bob_rows "$T/bob.db")" ] || fail "Bob's rows"
expect_eq "integrity" ok "$(q "$T/alice.db" "pragma integrity_check")"
expect_eq "foreign keys" "" "$(q "$T/alice.db" "pragma foreign_key_check")"
ok "merge copies Bob's run with its identities and rows; his file is unchanged"

before=$(q "$T/alice.db" "select count(*) from identity")
"$PALSCOPE" merge --db "$T/alice.db" "$T/bob.db" 2>"$T/merge2.err" || fail "second merge"
grep -q "0 run(s) copied (0 identities, 0 rows), 1 already here" "$T/merge2.err" || { cat "$T/merge2.err"; fail "second merge message"; }
expect_eq "nothing copied twice" "$before" "$(q "$T/alice.db" "select count(*) from identity")"
ok "merging again copies nothing (same run uuid)"

"$PALSCOPE" report summary --db "$T/alice.db" --period 2026-10 --out "$T/summary.csv" 2>/dev/null
"$PALSCOPE" report customers --db "$T/alice.db" --period 2026-10 --out "$T/customers.csv" 2>/dev/null
"$PYTHON" - "$T/summary.csv" "$T/customers.csv" <<'PY' || fail "combined reports"
import csv, sys
runs = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["section"] == "run"]
assert [r["key"] for r in runs] == ["1", "2"], runs
assert runs[0]["detail"].endswith("signed in as alice@fabrikam.example"), runs[0]
assert runs[1]["detail"].endswith("signed in as bob@fabrikam.example"), runs[1]
cust = {r["tenant_id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert len(cust) == 3, cust
assert cust["f0000000-0000-4000-8000-000000000000"]["status"] == "ATTRIBUTED"
PY
# Both people's identities are in effect for the home tenant they share.
expect_eq "effective identities of the shared tenant" "alice@fabrikam.example
bob@fabrikam.example" "$(q "$T/alice.db" "select identity_name from effective_identity where tenant_id = '$HOME_T' order by 1")"
ok "the combined reports name both runs and whose sign-ins they are; both identities count"

# An older schema: the rules fixture at the schema before the user identities migration.
mine=$(basename "$SRCDIR"/sql/migrations/*_user_identities.sql)
mine=$((10#${mine%%_*}))
for m in "$SRCDIR"/sql/migrations/[0-9]*.sql; do
	n=$(basename "$m")
	if [ $((10#${n%%_*})) -lt "$mine" ]; then sqlite3 "$T/old.db" <"$m"; fi
done
sqlite3 "$T/old.db" "pragma application_id = $((0x50414c53)); pragma user_version = $((mine - 1));"
sqlite3 "$T/old.db" <"$SRCDIR/tests/fixtures/report/rules.sql"
old_sum=$(sha256sum <"$T/old.db")
"$PALSCOPE" merge --db "$T/alice.db" "$T/old.db" 2>"$T/merge3.err" || { cat "$T/merge3.err"; fail "merge an older schema"; }
grep -q "merged $T/old.db: 3 run(s) copied" "$T/merge3.err" || { cat "$T/merge3.err"; fail "older schema: 3 runs"; }
expect_eq "older file unchanged" "$old_sum" "$(sha256sum <"$T/old.db")"
expect_eq "older schema: identities" "$(q "$T/old.db" "select count(*) from identity")" "$(q "$T/alice.db" "select count(*) from identity where run_id > 2")"
expect_eq "older schema: cost rows" "$(q "$T/old.db" "select count(*) from cost_daily")" "$(q "$T/alice.db" "select count(*) from cost_daily c join identity i using (identity_id) where i.run_id > 2")"
ok "a database of an older schema merges (read as it is, migrated in a copy)"

sqlite3 "$T/foreign.db" "create table t (x)"
before=$(sha256sum <"$T/alice.db")
set +e
"$PALSCOPE" merge --db "$T/alice.db" "$T/foreign.db" 2>"$T/merge4.err"
RC=$?
set -e
expect_eq "foreign database: exit" 3 "$RC"
grep -q "not a palscope database" "$T/merge4.err" || { cat "$T/merge4.err"; fail "foreign database message"; }
expect_eq "nothing copied from a foreign database" "$before" "$(sha256sum <"$T/alice.db")"
ok "a file that is not a palscope database is refused"
