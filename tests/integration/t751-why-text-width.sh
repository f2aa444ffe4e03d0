#!/usr/bin/env bash
# palscope why's text story at COLUMNS=40, 60 and 80 (reports/why_story.c wrap): no line is
# wider than the width except one holding a single backticked command; every backticked command
# of the fix texts (from sql/views, as `report subscriptions` gives them) is on one line, whole,
# so it can be copied; every amount carries its currency; the count line is not repeated by the
# customer's explanation. Demo partner collected from the fake Azure endpoint.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
collect --db "$T/demo.db" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
for q in Contoso Adventure a0000003-0000-4000-8000-000000000000 Müller Northwind Litware Woodgrove Tailspin; do
	for cols in 40 60 80; do
		COLUMNS=$cols "$PALSCOPE" why "$q" --db "$T/demo.db" >"$T/w.out" 2>"$T/w.err" ||
			fail "why $q at $cols: $(cat "$T/w.err")"
		"$PYTHON" - "$T/w.out" "$cols" "$q" <<'PY' || fail "why $q at COLUMNS=$cols"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
cols, q = int(sys.argv[2]), sys.argv[3]
lines = text.split("\n")
for l in lines:
    if len(l) > cols:
        # only a line whose text is one backticked command, or one word too long for any
        # line (a GUID in a narrow terminal), after its label, may be wider
        # (or a heading: "Subscription STATUS REASON_CODE:", which is not wrapped)
        if not re.fullmatch(r"\s*(\[\w+\]\s+\w+\s+|reasons\s+|fix\s+|tenant |id )?(`[^`]+`[;,.)]*|\S+)", l) and \
           not re.fullmatch(r"\s*(Customer|Subscription) [A-Z]+( [A-Z_]+)?:", l):
            sys.exit(f"{q}: line of {len(l)} > {cols}: {l!r}")
# a backtick opened on a line closes on it
for l in lines:
    if l.count("`") % 2:
        sys.exit(f"{q}: a command is broken across lines: {l!r}")
# every amount with a currency (an ISO code after it, or 'of' between two amounts)
for m in re.finditer(r"\b\d+\.\d\d\b(?!\s+of\s)(\s+[A-Z]{3}\b)?", text):
    if not m.group(1):
        sys.exit(f"{q}: amount without currency: ...{text[max(0, m.start() - 40):m.end() + 10]!r}")
# no count line repeated by the explanation
for i, l in enumerate(lines[:-1]):
    m = re.match(r"  (\d+) of (\d+) subscription", l)
    if m and re.match(r"  %s of %s subscription" % (m.group(1), m.group(2)), lines[i + 1] if i + 1 < len(lines) else ""):
        sys.exit(f"{q}: count said twice: {l!r}")
    if m and any(re.match(r"  %s of %s subscriptions attributed" % (m.group(1), m.group(2)), x) for x in lines[i + 1:i + 3]):
        sys.exit(f"{q}: count said twice: {l!r}")
PY
	done
done
# The long commands of the demo's fixes are there, whole, at 40 columns
COLUMNS=40 "$PALSCOPE" why Adventure --db "$T/demo.db" >"$T/a.out"
grep -qx '  `palscope link apply --partner-id 1234567 --only-missing-from <this report>`;' "$T/a.out" ||
	grep -q '`palscope link apply --partner-id 1234567 --only-missing-from <this report>`' "$T/a.out" ||
	fail "palscope link apply command not whole at 40 columns: $(cat "$T/a.out")"
grep -q '`az managementpartner create --partner-id 1234567`' "$T/a.out" || fail "az command not whole at 40 columns"
ok "why text at COLUMNS=40/60/80: commands whole, widths kept, currency on amounts, count once"
