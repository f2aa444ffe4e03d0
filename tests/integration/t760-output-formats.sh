#!/usr/bin/env bash
# --output/-o FORMAT on the report commands (report customers|subscriptions|summary|trend, diff,
# reconcile), each format parsed back against the CSV of the same command:
# - csv: the default in a pipe, byte-identical to --out FILE and to -o csv;
# - json: python3 -m json.tool accepts it; an array of objects with the CSV header's names in
#   order, text as the CSV's text (no formula guard), numbers as JSON numbers equal to the CSV's,
#   null where the CSV's number is empty;
# - tsv: no header, as many fields as the header, \t \n \r \\ unescaped give the CSV's values;
# - table: without a width limit exactly the cells padded by DISPLAY width (Python's unicodedata:
#   combining marks 0, East Asian wide 2) with names Müller, 北校区 and Cafe + U+0301; with
#   COLUMNS=60 no line wider than 60 columns, cut cells end in "…", every backticked command of
#   the CSV whole on one line;
# - -o json never writes a file named json; an unknown format is one usage line (exit 2) with
#   the nearest format; --excel with json is refused.
# The names: tests/fixtures/import's az outputs (account-list.json,
# account-subscription-list.json) with their display names changed.
. "$(dirname "$0")/lib.sh"
F=$SRCDIR/tests/fixtures/import
TEN=11111111-1111-4111-8111-111111111111
DB=$T/p.db
cafe=$(printf 'Cafe\xcc\x81')
for f in account-list.json account-subscription-list.json; do
	sed -e "s/Contoso Prod/Müller Prod/; s/Contoso Dev/北校区 Dev/; s/Contoso EA/$cafe EA/" \
		-e 's/"Contoso Ltd"/"Contoso Ltd 北"/' "$F/$f" >"$T/$f"
done
imp() { "$PALSCOPE" import -q --db "$DB" --tenant $TEN --partner-id 1234567 --include-groups \
	"$F/link.json" "$T/account-list.json" "$T/account-subscription-list.json" "$@" \
	"$F/role-definitions.json" "$F/cost-ea.csv" || fail "import $*"; }
imp "$F/ra-s1.json" "$F/ra-s2.json" "$F/ra-s3.json"
imp "$F/ra-s2.json" "$F/ra-s3.json" # run 2: s1's role assignment gone, a change for diff

# check_formats NAME ARGS...: every format of `palscope ARGS` against its CSV
check_formats() {
	local name=$1; shift
	(cd "$T" && "$PALSCOPE" "$@" >"$T/$name.default") || fail "$name: csv"
	for fmt in csv json tsv table; do
		(cd "$T" && "$PALSCOPE" "$@" -o $fmt >"$T/$name.$fmt") || fail "$name -o $fmt"
		(cd "$T" && "$PALSCOPE" "$@" --output $fmt >"$T/$name.$fmt.2") || fail "$name --output $fmt"
		cmp -s "$T/$name.$fmt" "$T/$name.$fmt.2" || fail "$name: -o $fmt and --output $fmt differ"
		(cd "$T" && COLUMNS=60 "$PALSCOPE" "$@" -o $fmt >"$T/$name.$fmt.60") || fail "$name -o $fmt (60)"
	done
	[ ! -e "$T/json" ] && [ ! -e "$T/table" ] || fail "$name: a file named after the format"
	cmp -s "$T/$name.default" "$T/$name.csv" || fail "$name: the default in a pipe is not -o csv"
	(cd "$T" && "$PALSCOPE" "$@" --out "$T/$name.file.csv") || fail "$name --out"
	cmp -s "$T/$name.csv" "$T/$name.file.csv" || fail "$name: stdout CSV and --out CSV differ"
	"$PYTHON" -m json.tool "$T/$name.json" >/dev/null || fail "$name: json.tool refuses -o json"
	"$PYTHON" "$SRCDIR/tests/integration/lib_output.py" "$T/$name" --table ||
		fail "$name: formats disagree with the CSV"
	ok "$name: csv, json, tsv and table agree ($(tail -n +2 "$T/$name.csv" | wc -l) rows)"
}

check_formats customers report customers -q --db "$DB"
check_formats subscriptions report subscriptions -q --db "$DB"
check_formats summary report summary -q --db "$DB"
check_formats trend report trend -q --db "$DB"
check_formats diff diff -q --db "$DB" --subscriptions
[ "$(tail -n +2 "$T/diff.csv" | wc -l)" -ge 1 ] || fail "diff: no changed subscription to check"
check_formats reconcile reconcile -q --db "$DB" --partner-center "$F/partner-center.csv"

# display width: Müller, 北校区 and Cafe + U+0301 line up (the names are in the subscriptions table)
grep -q "北校区 Dev" "$T/subscriptions.table" && grep -q "Müller Prod" "$T/subscriptions.table" &&
	grep -q "$cafe EA" "$T/subscriptions.table" || fail "the names are not in the table"
ok "table aligned by display width with Müller, 北校区 and a combining accent"

# -o json: JSON on stdout, not a file named json (what -o did when it meant --out)
(cd "$T" && "$PALSCOPE" report customers --db "$DB" -o json >"$T/o.out") || fail "-o json"
[ ! -e "$T/json" ] || fail "-o json wrote a file named json"
head -c 1 "$T/o.out" | grep -q '\[' || fail "-o json does not print JSON"
# --out FILE with -o json: the JSON in the file
"$PALSCOPE" report customers --db "$DB" -o json --out "$T/c.json" || fail "-o json --out"
"$PYTHON" -m json.tool "$T/c.json" >/dev/null || fail "--out FILE -o json is not JSON"
ok "-o json prints JSON (and --out FILE -o json writes it)"

# unknown formats: one line, exit 2, the nearest format named
run() { set +e; "$PALSCOPE" "$@" >"$T/out" 2>"$T/err"; RC=$?; set -e; no_sanitizer_report "$T/err"; }
for cmd in "report customers" "diff" "reconcile --partner-center $F/partner-center.csv"; do
	# shellcheck disable=SC2086
	run $cmd --db "$DB" -o jsn
	expect_eq "$cmd -o jsn: exit" 2 "$RC"
	expect_eq "$cmd -o jsn: stderr lines" 1 "$(wc -l <"$T/err")"
	grep -q "^palscope: error: --output 'jsn' is not one of csv, table, json, tsv; did you mean 'json'?" "$T/err" ||
		{ cat "$T/err"; fail "$cmd -o jsn: message"; }
	[ ! -s "$T/out" ] || fail "$cmd -o jsn printed something"
done
run report customers --db "$DB" --output xml
expect_eq "--output xml: exit" 2 "$RC"
grep -q "^palscope: error: --output 'xml' is not one of csv, table, json, tsv" "$T/err" || fail "--output xml"
run report customers --db "$DB" -o json --excel
expect_eq "-o json --excel: exit" 2 "$RC"
grep -q "^palscope: error: --excel goes with --output csv, not json" "$T/err" || fail "--excel with json: $(cat "$T/err")"
ok "unknown formats refused (exit 2, one line, did you mean); --excel only with csv"

# report summary on a terminal (script(1) gives it a pseudo-terminal): a table, not CSV
COLUMNS=80 script -qec "'$PALSCOPE' report summary -q --db '$DB'" /dev/null | tr -d '\r' >"$T/tty.out"
head -1 "$T/tty.out" | grep -Eq '^section +key +customers' || { cat "$T/tty.out"; fail "summary on a terminal: not a table"; }
! grep -q '^"section"' "$T/tty.out" || fail "summary on a terminal is CSV"
"$PYTHON" - "$T/tty.out" <<'PY' || fail "summary on a terminal wider than 80 columns"
import sys, unicodedata
w = lambda s: sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert len(lines) > 10 and max(w(l) for l in lines) <= 80, max(w(l) for l in lines)
PY
ok "report summary on a terminal: a table fitted to 80 columns"
