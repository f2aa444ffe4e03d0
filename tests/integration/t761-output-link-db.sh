#!/usr/bin/env bash
# --output/-o FORMAT on link show|plan|apply|history and db runs, each format parsed back:
# csv (link's --csv is -o csv, byte for byte), json (json.tool; the CSV header's names, numbers
# as numbers, null for an empty one), tsv (no header, the header's field count, unescaped
# values equal the CSV's); table (the default, also in a pipe) aligned by display width with
# identities named Müller, 北校区 and Cafe + U+0301; -o jsn refused (exit 2, one line);
# --csv with -o json refused. The accounts: tests/fake_azure/scenarios/link-basic-accounts.csv
# with three labels changed.
. "$(dirname "$0")/lib.sh"
SC="$FAKE/scenarios/link-basic.json"
set -a; . "$FAKE/scenarios/link-basic-secrets.env"; set +a
cafe=$(printf 'Cafe\xcc\x81')
ACC=$T/accounts.csv
sed -e 's/,alpha$/,Müller/' -e 's/,bravo$/,北校区/' -e "s/,charlie\$/,$cafe/" \
	"$FAKE/scenarios/link-basic-accounts.csv" >"$ACC"
grep -q "北校区" "$ACC" || fail "labels not changed"
DB=$T/audit.db
start_server "$SC" --state "$T/state.json"
EP=(--arm-url "$URL" --login-url "$URL")
run() { # run NAME ARGS...: stdout in $T/NAME, status in $RC
	local name=$1; shift
	set +e
	"$PALSCOPE" "$@" >"$T/$name" 2>"$T/$name.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/$name.err"
}
# formats NAME ARGS...: -o csv, json, tsv, table of ARGS into $T/NAME.*, then checked
formats() {
	local name=$1; shift
	for fmt in csv json tsv table; do
		run "$name.$fmt" "$@" -o $fmt
		[ "$RC" -le 1 ] || { cat "$T/$name.$fmt.err"; fail "$name -o $fmt: exit $RC"; }
	done
	run "$name.default" "$@"
	# the table is the default in a pipe too (the summary under it says how long it took)
	cmp -s <(sed '/^$/,$d' "$T/$name.default") <(sed '/^$/,$d' "$T/$name.table") ||
		fail "$name: the default (a pipe) is not the table"
	"$PYTHON" -m json.tool "$T/$name.json" >/dev/null || fail "$name: json.tool refuses -o json"
	"$PYTHON" "$SRCDIR/tests/integration/lib_output.py" "$T/$name" || fail "$name: formats disagree"
}
# aligned FILE COLUMN: the display column where COLUMN starts is the same on every row
aligned() {
	"$PYTHON" - "$@" <<'PY' || fail "$1: column $2 not aligned by display width"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.strip()]
head = lines[0]
col = width(head[:head.index(sys.argv[2])])
rows = [l for l in lines[1:] if l.split()[0] in ("Müller", "北校区", "Cafe\u0301", "delta", "echo")]
assert len(rows) >= 5, rows
for l in rows:
    # the tenant ids start with b000000: where the TENANT column begins
    i = l.index("b000000")
    assert width(l[:i]) == col, "%r: at %d, header at %d" % (l, width(l[:i]), col)
print("aligned: %d rows" % len(rows))
PY
}

formats show link show --accounts "$ACC" "${EP[@]}"
run show.csvflag link show --accounts "$ACC" "${EP[@]}" --csv
cmp -s "$T/show.csv" "$T/show.csvflag" || fail "link show --csv and -o csv differ"
grep -q "^Müller " "$T/show.table" || fail "show table: no Müller row"
aligned "$T/show.table" TENANT
ok "link show: csv (= --csv), json, tsv agree; the table aligned by display width"

formats plan link plan --accounts "$ACC" "${EP[@]}" --partner-id 1234567
aligned "$T/plan.table" TENANT
grep -q '"action": "create"' "$T/plan.json" || fail "plan json: no create"
grep -q "link plan for partner ID 1234567" "$T/plan.table" || fail "plan table: no summary"
! grep -q "link plan for" "$T/plan.json" || fail "plan json: the summary line is not JSON"
ok "link plan: csv, json, tsv agree, the table aligned"

run apply link apply --accounts "$ACC" "${EP[@]}" --partner-id 1234567 --db "$DB" -o json
"$PYTHON" - "$T/apply" <<'PY' || fail "link apply -o json"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
by = {r["identity"]: r for r in rows}
assert by["Müller"]["result"] == "done" and by["Müller"]["http_status"] == 200, by["Müller"]
assert by["Müller"]["partner_after"] == "1234567", by["Müller"]
assert by["北校区"]["result"] == "unchanged" and by["北校区"]["http_status"] is None, by["北校区"]
assert by["echo"]["status"] == "failed", by["echo"]
PY
ok "link apply -o json: the results as objects"

formats history link history --db "$DB"
run history.csvflag link history --db "$DB" --csv
cmp -s "$T/history.csv" "$T/history.csvflag" || fail "link history --csv and -o csv differ"
grep -q "Müller" "$T/history.json" || fail "history json: no Müller"
ok "link history: csv (= --csv), json, tsv agree"

# db runs: a database of two imports (tests/fixtures/import)
F=$SRCDIR/tests/fixtures/import
for i in 1 2; do
	"$PALSCOPE" import -q --db "$T/runs.db" --tenant 11111111-1111-4111-8111-111111111111 \
		--partner-id 1234567 "$F/link.json" "$F/account-list.json" \
		"$F/account-subscription-list.json" "$F/ra-s1.json" "$F/role-definitions.json" \
		"$F/cost-ea.csv" || fail "import $i"
done
formats runs db runs --db "$T/runs.db"
head -1 "$T/runs.table" | grep -q "partial-period" || fail "db runs table header"
"$PYTHON" - "$T/runs.json" <<'PY' || fail "db runs -o json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["run_id"] for r in rows] == [2, 1], rows
assert all(r["kind"] == "import" and r["partial_period"] == 0 and r["period"] == "2026-10" for r in rows), rows
PY
ok "db runs: csv, json, tsv agree; the table as before"

# refused
for args in "link show --accounts $ACC" "link history --db $DB" "db runs --db $T/runs.db"; do
	# shellcheck disable=SC2086
	run bad $args -o jsn
	expect_eq "$args -o jsn: exit" 2 "$RC"
	expect_eq "$args -o jsn: one line" 1 "$(wc -l <"$T/bad.err")"
	grep -q "did you mean 'json'" "$T/bad.err" || fail "$args -o jsn: $(cat "$T/bad.err")"
done
run bad link history --db "$DB" --csv -o json
expect_eq "--csv -o json: exit" 2 "$RC"
grep -q "^palscope: error: --csv and --output json: give one of them" "$T/bad.err" || fail "--csv -o json: $(cat "$T/bad.err")"
run bad db version --db "$T/runs.db" -o json
expect_eq "db version -o json: exit" 2 "$RC"
ok "unknown formats and --csv with -o json refused (exit 2)"

# a full stdout: one error line, exit 3, in every format
for fmt in json table; do
	set +e
	"$PALSCOPE" link show --accounts "$ACC" "${EP[@]}" -o $fmt >/dev/full 2>"$T/full.err"
	RC=$?
	"$PALSCOPE" db runs --db "$T/runs.db" -o $fmt >/dev/full 2>"$T/full2.err"
	RC2=$?
	set -e
	expect_eq "link show -o $fmt >/dev/full: exit" 3 "$RC"
	expect_eq "db runs -o $fmt >/dev/full: exit" 3 "$RC2"
	for e in "$T/full.err" "$T/full2.err"; do
		expect_eq "$fmt: error lines" 1 "$(grep -c "error" "$e")"
		grep -q "^palscope: error: cannot write to standard output: No space left on device" "$e" ||
			fail "$fmt >/dev/full: $(cat "$e")"
	done
done
ok "a full stdout: exit 3, one error line"
