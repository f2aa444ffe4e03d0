#!/usr/bin/env bash
# palscope import refuses absurd values (issue 9), with file, line and column, exit 2, the
# database unchanged. Bounds (README, "Bad input"): a cost row at most 1e12 in absolute value, no
# daily total below zero, a resource group name at most 90 characters, a JSON string at most
# 64 KiB, a display/user name and --label at most 256 bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_import.sh"
TEN=11111111-1111-4111-8111-111111111111
S1=aaaaaaaa-0000-4000-8000-000000000001
DB=$T/p.db

imp "$DB" "$F/link.json" "$F/account-list.json" "$F/ra-s1.json" "$F/cost-ea.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "first import: exit $RC"; }
dump "$DB" >"$T/before.sql"
# Generated at test time (10 MB values do not belong in the repository): the EA export of
# cost-ea.csv with one cell replaced, az role assignment / account list output with one value.
"$PYTHON" - "$F" "$T" <<'PY'
import csv, io, json, sys
f, t = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(f + "/cost-ea.csv", newline="")))
h = rows[0]
def write(name, col, value, row=1):
    rs = [list(r) for r in rows]
    rs[row][h.index(col)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rs)
    open(t + "/" + name, "w", newline="").write(out.getvalue())
big = "r" * (10 * 1024 * 1024)
write("cost-rg-10mb.csv", "ResourceGroup", big)
write("cost-rg-91.csv", "ResourceGroup", "g" * 91)
write("cost-rg-90.csv", "ResourceGroup", "\u00e9" * 90)          # 90 characters, 180 bytes: allowed
# no ResourceGroup column value: the group comes from ResourceId
rs = [list(r) for r in rows]
for r in rs[1:]:
    r[h.index("ResourceGroup")] = ""
out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rs)
s = out.getvalue().replace("/resourceGroups/prod-rg/", "/resourceGroups/" + big + "/", 1)
open(t + "/cost-rid-rg-10mb.csv", "w", newline="").write(s)
write("cost-minus-1e300.csv", "Cost", "-1e300", row=2)
ra = json.load(open(f + "/ra-s1.json"))
e = ra[0]
for k in ("id", "scope"):
    e[k] = e[k].replace("/subscriptions/aaaaaaaa-0000-4000-8000-000000000001", "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/" + big, 1)
open(t + "/ra-rg-10mb.json", "w").write(json.dumps(ra, indent=2, sort_keys=True) + "\n")
ra = json.load(open(f + "/ra-s1.json"))
ra[0]["scope"] += "/resourceGroups/" + "g" * 91
ra[0]["resourceGroup"] = "g" * 91
open(t + "/ra-rg-91.json", "w").write(json.dumps(ra, indent=2, sort_keys=True) + "\n")
acc = json.load(open(f + "/account-list.json"))
acc[0]["user"]["name"] = "u" * 300 + "@contoso.com"
open(t + "/account-list-long-user.json", "w").write(json.dumps(acc, indent=2, sort_keys=True) + "\n")
acc = json.load(open(f + "/account-list.json"))
acc[1]["name"] = big
open(t + "/account-list-name-10mb.json", "w").write(json.dumps(acc, indent=2, sort_keys=True) + "\n")
PY
A=("$F/link.json" "$F/account-list.json")
refused "cost 1e300" "cost-1e300.csv:3: column 22 \('Cost'\): cost '1e300' is out of bounds" "${A[@]}" "$F/cost-1e300.csv"
refused "cost -1e300" "cost-minus-1e300.csv:3: column 22 \('Cost'\): cost '-1e300' is out of bounds" "${A[@]}" "$T/cost-minus-1e300.csv"
refused "negative daily total" "cost-negative-day.csv:7: column 22 \('Cost'\): the daily total of subscription $S1, resource group 'prod-rg', 2026-10-15 is -14.75 EUR: below zero" \
	"${A[@]}" "$F/cost-negative-day.csv"
refused "10 MB resource group name (CSV)" "cost-rg-10mb.csv:2: column 37 \('ResourceGroup'\): a resource group name of 10485760 characters \(Azure allows at most 90\)" \
	"${A[@]}" "$T/cost-rg-10mb.csv"
refused "91-character resource group name (CSV)" "cost-rg-91.csv:2: column 37 \('ResourceGroup'\): a resource group name of 91 characters" \
	"${A[@]}" "$T/cost-rg-91.csv"
refused "10 MB resource group in a ResourceId (CSV)" "cost-rid-rg-10mb.csv:2: column 27 \('ResourceId'\): a resource group name of 10485760 characters" \
	"${A[@]}" "$T/cost-rid-rg-10mb.csv"
refused "10 MB resource group in a role assignment scope" "ra-rg-10mb.json:[0-9]+:[0-9]+: a string of [0-9]+ bytes \(at most 65536" \
	"${A[@]}" "$T/ra-rg-10mb.json"
refused "91-character resource group in a role assignment scope" "ra-rg-91.json: assignment '.*': the resource group name in its scope has 91 characters \(Azure allows at most 90\)" \
	"${A[@]}" "$T/ra-rg-91.json"
refused "10 MB subscription name" "account-list-name-10mb.json:2[0-9]:[0-9]+: a string of 10485760 bytes" \
	"$F/link.json" "$T/account-list-name-10mb.json"
refused "312-byte user name (the label)" "account-list-long-user.json: entry 1: 'user.name' of 312 bytes \(at most 256\)" \
	"$F/link.json" "$T/account-list-long-user.json"
refused "100 KB --label" "--label of 102400 bytes \(at most 256\)" --label "$(head -c 102400 /dev/zero | tr '\0' l)" "${A[@]}"

# the bounds are bounds: 90 characters (180 bytes of UTF-8) is allowed
rm -f "$T/ok.db"
imp "$T/ok.db" "${A[@]}" "$T/cost-rg-90.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "90-character resource group: exit $RC"; }
expect_eq "90-character resource group stored" "90" \
	"$(q "$T/ok.db" "select max(length(resource_group)) from cost_daily")"
ok "a 90-character resource group name (UTF-8) is accepted"
