#!/usr/bin/env bash
# db runs (every run, partial-period flag) and db prune (--keep-periods, --before, --vacuum, one
# transaction, bad options) on three demo collections of three periods.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/demo.db
for p in 2026-08 2026-09 2026-10; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period "$p" -q
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
done
"$PALSCOPE" db runs --db "$DB" >"$T/runs.txt" || fail "db runs"
head -1 "$T/runs.txt" | grep -q "partial-period" || fail "db runs header: $(head -1 "$T/runs.txt")"
expect_eq "db runs rows" 3 "$(tail -n +2 "$T/runs.txt" | wc -l)"
# newest first: run 3 is 2026-10; 11 of the 12 identities signed in (Tailspin fails)
tail -n +2 "$T/runs.txt" | head -1 | grep -Eq '^3 +collect +2026-10 +partial .* 11/1 +no$' ||
	fail "db runs row: $(sed -n 2p "$T/runs.txt")"
q "$DB" "UPDATE run SET partial_period = 1 WHERE run_id = 3"
sed -n 2p <("$PALSCOPE" db runs --db "$DB") | grep -Eq ' yes$' || fail "partial-period flag not shown"
ok "db runs"

# Bad options: usage error (exit 2), nothing deleted.
for args in "prune" "prune --keep-periods 0" "prune --keep-periods x" "prune --before 2026-13" \
	"prune --keep-periods 1 --before 2026-10" "runs --vacuum"; do
	set +e; "$PALSCOPE" db $args --db "$DB" >/dev/null 2>"$T/err"; rc=$?; set -e
	expect_eq "db $args exit status" 2 "$rc"
done
expect_eq "runs after bad options" 3 "$(q "$DB" "select count(*) from run")"
ok "bad prune options refused, nothing deleted"

"$PALSCOPE" db prune --keep-periods 2 --db "$DB" >"$T/p1.txt" || fail "prune --keep-periods"
expect_eq "prune output" "deleted 1 run" "$(cat "$T/p1.txt")"
expect_eq "periods left" "2026-09 2026-10" "$(q "$DB" "select group_concat(period, ' ') from (select period from run order by period)")"
expect_eq "identities of the pruned run" 0 "$(q "$DB" "select count(*) from identity where run_id = 1")"
expect_eq "cost rows of the pruned run" 0 "$(q "$DB" "select count(*) from cost_daily where run_id = 1")"
"$PALSCOPE" report customers --db "$DB" --period 2026-10 --out "$T/c.csv" || fail "report after prune"

"$PALSCOPE" db prune --before 2026-10 --vacuum --db "$DB" >"$T/p2.txt" || fail "prune --before --vacuum"
expect_eq "prune --before output" "deleted 1 run" "$(cat "$T/p2.txt")"
expect_eq "runs left" "3" "$(q "$DB" "select group_concat(run_id) from run")"
expect_eq "integrity" ok "$(q "$DB" "pragma integrity_check")"
expect_eq "foreign keys" "" "$(q "$DB" "pragma foreign_key_check")"
"$PALSCOPE" db prune --keep-periods 5 --db "$DB" >"$T/p3.txt" || fail "prune nothing"
expect_eq "prune nothing" "deleted 0 runs" "$(cat "$T/p3.txt")"
ok "db prune"
