#!/usr/bin/env bash
# `palscope db version` and `db runs` read a database as it is: an old-schema
# file (migrations 0001-0003 applied by hand, as an older palscope left it) is
# reported at its own version and left byte-identical; a command that reads the
# rule views makes it ready (migrates it) as before.
. "$(dirname "$0")/lib.sh"

old="$T/old.db"
for m in "$SRCDIR"/sql/migrations/000[1-3]_*.sql; do
	sqlite3 "$old" < "$m"
done
sqlite3 "$old" "pragma application_id = $((0x50414c53)); pragma user_version = 3;
	insert into run (kind, period, period_start, period_end, status, started_at, ended_at) values ('collect', '2026-09', '2026-09-01', '2026-09-30', 'complete', '2026-10-01T00:00:00Z', '2026-10-01T00:05:00Z')"
latest=$(ls "$SRCDIR"/sql/migrations/ | sed -n 's/^\([0-9]\{4\}\)_.*/\1/p' | sort | tail -1)
latest=$((10#$latest))
sum=$(sha256sum < "$old")

out=$("$PALSCOPE" db version --db "$old")
expect_eq "old db version" "schema 3 (this palscope supports $latest)" "$out"
expect_eq "old db unchanged by db version" "$sum" "$(sha256sum < "$old")"
ok "db version reports an old schema without migrating it"

"$PALSCOPE" db runs --db "$old" > "$T/runs.out"
grep -q '^1 .*collect .*2026-09 .*complete' "$T/runs.out" || { cat "$T/runs.out" >&2; fail "db runs on the old db"; }
expect_eq "old db unchanged by db runs" "$sum" "$(sha256sum < "$old")"
ok "db runs lists an old database's runs without migrating it"

# A database that is not palscope's is still refused by db version.
sqlite3 "$T/other.db" "create table t (x)"
if "$PALSCOPE" db version --db "$T/other.db" 2> "$T/other.err"; then fail "foreign db accepted"; fi
grep -q "not a palscope database" "$T/other.err" || fail "foreign db message"
ok "a foreign database is refused"

# Reading the rule views is the make-ready step: it migrates the file.
"$PALSCOPE" report summary --db "$old" --period 2026-09 > /dev/null 2>&1 || true
out=$("$PALSCOPE" db version --db "$old")
expect_eq "migrated by a report" "schema $latest (this palscope supports $latest)" "$out"
ok "a report makes the old database ready (migrated to $latest)"
