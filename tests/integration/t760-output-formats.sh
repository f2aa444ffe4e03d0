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
	"$PYTHON" - "$T/$name" <<'PY' || fail "$name: formats disagree with the CSV"
import csv, json, sys, unicodedata
base = sys.argv[1]
with open(base + ".csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
head, body = rows[0], rows[1:]
def unguard(v):  # the CSV's formula guard is for spreadsheets only
    return v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v
# json
doc = json.load(open(base + ".json", encoding="utf-8"))
assert isinstance(doc, list) and len(doc) == len(body), "json: %d objects, csv %d rows" % (len(doc), len(body))
numeric = set()
for obj, row in zip(doc, body):
    assert list(obj.keys()) == head, "json keys %r != header %r" % (list(obj.keys()), head)
    for k, v in zip(head, row):
        j = obj[k]
        if isinstance(j, bool):
            raise AssertionError("json %s: boolean" % k)
        if isinstance(j, (int, float)) or j is None:
            numeric.add(k)
            if j is None:
                assert v == "", "json %s null, csv %r" % (k, v)
            else:
                assert v != "" and abs(float(v) - j) < 1e-9, "json %s %r, csv %r" % (k, j, v)
        else:
            assert j == unguard(v), "json %s %r, csv %r" % (k, j, v)
# every money/int column holds a number in json, never a string
for obj in doc:
    for k in numeric:
        assert obj[k] is None or isinstance(obj[k], (int, float)), "json %s mixed types" % k
# tsv
def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]]); i += 2
        else:
            out.append(s[i]); i += 1
    return "".join(out)
lines = open(base + ".tsv", encoding="utf-8", newline="").read().split("\n")
assert lines[-1] == "", "tsv: no final newline"
lines = lines[:-1]
assert len(lines) == len(body), "tsv: %d lines, csv %d rows" % (len(lines), len(body))
for line, row in zip(lines, body):
    fields = line.split("\t")
    assert len(fields) == len(head), "tsv: %d fields, header %d" % (len(fields), len(head))
    assert [unescape(x) for x in fields] == [unguard(v) for v in row], "tsv %r != csv %r" % (fields, row)
# table, no width limit: the cells padded by display width, two spaces apart
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cells = [head] + [[unguard(v).replace("\t", " ").replace("\r", " ") for v in r] for r in body]
wrapcol = [any("`" in r[i] or (" " in r[i] and len(r[i].encode()) > 40) for r in cells[1:]) for i in range(len(head))]
for r in cells:
    for i in range(len(r)):
        if not wrapcol[i]:
            r[i] = r[i].replace("\n", " ")
w = [max(width(l) for r in cells for l in r[i].split("\n")) for i in range(len(head))]
want = []
for r in cells:
    parts = [c.split("\n") for c in r]
    for k in range(max(len(p) for p in parts)):
        want.append("  ".join((p[k] if k < len(p) else "") + " " * (w[i] - width(p[k] if k < len(p) else "")) for i, p in enumerate(parts)).rstrip(" "))
got = open(base + ".table", encoding="utf-8").read().split("\n")[:-1]
if got != want:
    for g, x in zip(got, want):
        if g != x:
            print("table line:\n got  %r\n want %r" % (g, x)); break
    raise AssertionError("table: %d lines, want %d" % (len(got), len(want)))
# table at COLUMNS=60: nothing wider, cut cells end in the ellipsis, commands whole
t60 = open(base + ".table.60", encoding="utf-8").read().split("\n")[:-1]
commands = set()
for r in body:
    for v in r:
        parts = v.split("`")
        commands.update("`%s`" % parts[i] for i in range(1, len(parts) - 1, 2))
# the narrowest the table can be: one space apart, cut cells "x…", free text as wide as its
# widest command (at least 8): only then may a line run over
def widest_cmd(i):
    return max([width(c) for r in body for c in commands if c in r[i]] + [8])
least = len(w) - 1 + sum(min(w[i], widest_cmd(i)) if wrapcol[i] else min(w[i], 2) for i in range(len(w)))
for line in t60:
    assert width(line) <= max(60, least), "COLUMNS=60: %d columns (least %d): %r" % (width(line), least, line)
for c in commands:
    assert any(c in line for line in t60), "command %s split across lines" % c
if sum(w) + 2 * (len(w) - 1) > 60:
    assert any("…" in line for line in t60), "COLUMNS=60: nothing cut with an ellipsis"
# the header names are the first line (cut with "…" where narrower)
for h, cell in zip(head, t60[0].split()):
    assert cell == h or (cell.endswith("…") and h.startswith(cell[:-1])), "COLUMNS=60 header %r for %r" % (cell, h)
print("%s: %d rows, %d fields, %d commands" % (base.rsplit("/", 1)[1], len(body), len(head), len(commands)))
PY
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
