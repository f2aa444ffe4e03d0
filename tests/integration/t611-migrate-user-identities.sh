#!/usr/bin/env bash
# Migration NNNN_user_identities on a database an older palscope left (the migrations before it
# applied by hand, then
# the rules fixture's three runs: tests/fixtures/report/rules.sql): every row of every table is
# kept, foreign keys and integrity stay ok, identity.auth_kind takes the new kinds (also for a
# connection opened afterwards: the CHECK is in the stored definition), every run has a distinct
# uuid, and a run inserted without one gets one.
. "$(dirname "$0")/lib.sh"

old="$T/old.db"
mine=$(basename "$SRCDIR"/sql/migrations/*_user_identities.sql)
mine=$((10#${mine%%_*}))
for m in "$SRCDIR"/sql/migrations/[0-9]*.sql; do
	n=$(basename "$m")
	[ $((10#${n%%_*})) -lt "$mine" ] && sqlite3 "$old" <"$m"
done
sqlite3 "$old" "pragma application_id = $((0x50414c53)); pragma user_version = $((mine - 1));"
sqlite3 "$old" <"$SRCDIR/tests/fixtures/report/rules.sql"

# DB OUT [COLUMNS-FROM]: every collected table's rows (the columns of COLUMNS-FROM's tables); the
# summaries, snapshots, the run counts and palscope_meta are derived, rebuilt when palscope opens the file.
snapshot() {
	"$PYTHON" - "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ref = sqlite3.connect(sys.argv[3] if len(sys.argv) > 3 else sys.argv[1])
out = open(sys.argv[2], "w")
for (t,) in ref.execute("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and name not like '%summary' and name not like '%snapshot' and name <> 'snapshot_built' and name <> 'palscope_meta' order by name"):
    cols = [r[1] for r in ref.execute("pragma table_info(%s)" % t)]
    if t == "run":  # its counts are derived too (written with the summaries)
        cols = [c for c in cols if c not in ("identities_total", "identities_ok", "identities_failed",
                                             "subscriptions", "role_assignments", "cost_rows", "failures")]
    rows = db.execute("select %s from %s order by 1, 2" % (", ".join(cols), t)).fetchall()
    out.write("%s %d\n" % (t, len(rows)))
    for r in rows:
        out.write(repr(r) + "\n")
PY
}
cp "$old" "$T/before.db"
snapshot "$old" "$T/before.txt"
[ "$(grep -c . "$T/before.txt")" -gt 500 ] || fail "the fixture filled the old database"

# db prune migrates the file (and deletes nothing here: no run is older than 2000-01).
"$PALSCOPE" db prune --before 2000-01 --db "$old" >"$T/prune.out" 2>&1 || { cat "$T/prune.out"; fail "db prune migrates"; }
# migrated to the newest schema (later migrations than this one apply too)
latest=$(basename "$(ls "$SRCDIR"/sql/migrations/[0-9]*.sql | sort | tail -1)")
expect_eq "migrated" "$((10#${latest%%_*}))" "$(q "$old" "pragma user_version")"
snapshot "$old" "$T/after.txt" "$T/before.db"
cmp -s "$T/before.txt" "$T/after.txt" || { diff "$T/before.txt" "$T/after.txt" | head >&2; fail "rows changed by the migration"; }
expect_eq "integrity" ok "$(q "$old" "pragma integrity_check")"
expect_eq "foreign keys" "" "$(q "$old" "pragma foreign_key_check")"
ok "migration $mine keeps every row of an older database ($(grep -vc '^(' "$T/before.txt") tables)"

# A new connection sees the widened CHECK; a value outside it is still refused.
for kind in user certificate federated managed_identity az; do
	q "$old" "insert into identity (run_id, tenant_id, auth_kind) values (1, 'aaaaaaaa-0000-4000-8000-000000000001', '$kind')"
done
if q "$old" "insert into identity (run_id, tenant_id, auth_kind) values (1, 't', 'password')" 2>/dev/null; then
	fail "auth_kind outside the CHECK accepted"
fi
expect_eq "upn column" "" "$(q "$old" "select coalesce(max(upn), '') from identity")"
ok "identity.auth_kind takes the new kinds, and only them"

expect_eq "runs have distinct uuids" "3|3" "$(q "$old" "select count(distinct uuid), count(*) from run where uuid like '________-____-4___-____-____________'")"
q "$old" "insert into run (kind, started_at, period, period_start, period_end) values ('collect', '2026-11-01T00:00:00Z', '2026-10', '2026-10-01', '2026-10-31')"
expect_eq "a run inserted without a uuid gets one" 1 "$(q "$old" "select count(*) from run where run_id = 4 and length(uuid) = 36")"
"$PALSCOPE" report customers --db "$old" --period 2026-10 --out "$T/customers.csv" 2>"$T/report.err" || { cat "$T/report.err"; fail "report on the migrated database"; }
"$PYTHON" - "$T/customers.csv" <<'PY' || fail "customers report after the migration"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) >= 5 and all(r["status"] for r in rows), rows
PY
ok "runs have uuids; the report reads the migrated database"
