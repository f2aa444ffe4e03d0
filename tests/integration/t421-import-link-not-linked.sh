#!/usr/bin/env bash
# palscope import of `az managementpartner show > f.txt 2>&1` in a tenant with no link (issue 9):
# az's error text (ERROR: (NotFound) ... / Code: NotFound / Message: ..., also after a WARNING
# line), an empty file, [] and null are "not linked", stored as a collected 404 is (linked = 0,
# HTTP 404, the error body with its code and message); another az error is "the link could not
# be read" (COLLECTION_FAILED); any other text is the "unknown file type" error.
# Fixtures: tests/fixtures/import/README.md names the source of each shape.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_import.sh"
TEN=11111111-1111-4111-8111-111111111111
MSG="No partner association found for tenant '$TEN' and object '22222222-2222-4222-8222-222222222222'."

link_row() { q "$1" "select linked, http_status, coalesce(partner_id, '-'), json_extract(raw_json, '\$.error.code'), json_extract(raw_json, '\$.error.message') from partner_link"; }

# 1. A collected run of a principal with no link, and the import of the same tenant's az text.
start_server "$FAKE/scenarios/link-basic.json"
set -a; . "$FAKE/scenarios/link-basic-secrets.env"; set +a
head -2 "$FAKE/scenarios/link-basic-accounts.csv" >"$T/alpha.csv"   # alpha: not linked
collect --db "$T/collected.db" --accounts "$T/alpha.csv" --partner-id 1234567 --period 2026-10
[ "$RC" = 0 ] || { cat "$T/collect.err"; fail "collect exit $RC"; }
stop_server
ALPHA=b0000001-0000-4000-8000-000000000000
COLLECTED=$(link_row "$T/collected.db")
case "$COLLECTED" in "0|404|-|NotFound|No partner association found for tenant '$ALPHA'"*) ;; *) fail "collected row: $COLLECTED" ;; esac
# what az prints for that 404: azure-cli-core aaz/_error_format.py AAZODataV4Format.__str__
# ("(code) message" + "Code: ..." + "Message: ..."), logged by knack as "ERROR: ..."
"$PYTHON" - "$T/collected.db" "$T/alpha-link.txt" <<'PY'
import json, sqlite3, sys
body = json.loads(sqlite3.connect(sys.argv[1]).execute("select raw_json from partner_link").fetchone()[0])
e = body["error"]
with open(sys.argv[2], "w") as f:
    f.write("ERROR: (%s) %s\nCode: %s\nMessage: %s\n" % (e["code"], e["message"], e["code"], e["message"]))
PY
"$PYTHON" - "$ALPHA" >"$T/alpha-accounts.json" <<'PY'
import json, sys
t = sys.argv[1]
print(json.dumps([{"cloudName": "AzureCloud", "homeTenantId": t, "id": "d0000001-0000-4000-8000-000000000001",
    "isDefault": True, "managedByTenants": [], "name": "Alpha Prod", "state": "Enabled",
    "tenantDefaultDomain": "alpha.onmicrosoft.com", "tenantDisplayName": "Alpha Corp", "tenantId": t,
    "user": {"name": "alpha@alpha.onmicrosoft.com", "type": "user"}}], indent=2, sort_keys=True))
PY
imp_in $ALPHA "$T/imported.db" "$T/alpha-link.txt" "$T/alpha-accounts.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "import of the az text: exit $RC"; }
expect_eq "imported row = collected row" "$COLLECTED" "$(link_row "$T/imported.db")"
ok "az's NotFound text is stored as the collected 404 is: $COLLECTED"

# 2. The fixtures: az text (with and without the extension-install warning), empty, [], null.
for f in link-notfound-az.txt link-notfound-az-install.txt; do
	rm -f "$T/n.db"
	imp_in $TEN "$T/n.db" "$F/$f" "$F/account-list.json"
	[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "$f: exit $RC"; }
	grep -q "$f: az error output (NotFound: $MSG): taken as 'az managementpartner show' of a principal with no partner link (not linked)" "$T/imp.err" ||
		{ cat "$T/imp.err"; fail "$f: note"; }
	expect_eq "$f: row" "0|404|-|NotFound|$MSG" "$(link_row "$T/n.db")"
	expect_eq "$f: no link failure recorded" 0 "$(q "$T/n.db" "select count(*) from request_failure where kind = 'link'")"
	ok "$f: not linked, with the message"
done
for f in empty.json link-empty-list.json link-null.json; do
	rm -f "$T/n.db"
	imp_in $TEN "$T/n.db" "$F/$f" "$F/account-list.json" "$F/ra-s1.json"
	[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "$f: exit $RC"; }
	grep -q "$f: .*taken as 'az managementpartner show' of a principal with no partner link" "$T/imp.err" ||
		{ cat "$T/imp.err"; fail "$f: note"; }
	expect_eq "$f: not linked" "0|404" "$(q "$T/n.db" "select linked, http_status from partner_link")"
	ok "$f: not linked"
done
# the customer is reported NO_LINK (not COLLECTION_FAILED) on the not-linked az text
rm -f "$T/r.db"
imp_in $TEN "$T/r.db" "$F/link-notfound-az.txt" "$F/account-list.json" "$F/account-subscription-list.json" \
	"$F/ra-s1.json" "$F/ra-s2.json" "$F/ra-s3.json" "$F/cost-ea.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "full import with the az text: exit $RC"; }
"$PALSCOPE" report customers --db "$T/r.db" --out "$T/cust.csv" 2>"$T/rep.err" || { cat "$T/rep.err"; fail "report"; }
"$PYTHON" - "$T/cust.csv" "$TEN" <<'PY' || fail "customer not NO_LINK"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")) if r["tenant_id"] == sys.argv[2]]
assert len(rows) == 1, rows
assert rows[0]["reason_code"] == "NO_LINK", rows[0]
PY
ok "a tenant imported with az's NotFound text is NO_LINK in the customers report"

# 3. [] is an empty list (not the link) when a real link file is given too.
rm -f "$T/l.db"
imp_in $TEN "$T/l.db" "$F/link.json" "$F/link-empty-list.json" "$F/account-list.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "[] with a link: exit $RC"; }
expect_eq "[] beside a link file" "1|200" "$(q "$T/l.db" "select linked, http_status from partner_link")"
ok "[] beside a link file is only an empty list"

# 3b. A link saved with 2>&1 on the first use of the extension: az's WARNING line, then the JSON.
rm -f "$T/w.db"
imp_in $TEN "$T/w.db" "$F/link-az-install.json" "$F/account-list.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "WARNING + link JSON: exit $RC"; }
grep -q "link-az-install.json: the az warnings before the JSON were skipped" "$T/imp.err" || { cat "$T/imp.err"; fail "warnings note"; }
expect_eq "WARNING + link JSON" "1|200|1234567" "$(q "$T/w.db" "select linked, http_status, partner_id from partner_link")"
ok "az's WARNING line before the link JSON is skipped"

# 4. Another az error: the link could not be read (recorded, COLLECTION_FAILED), not "not linked".
rm -f "$T/e.db"
imp_in $TEN "$T/e.db" "$F/link-az-login.txt" "$F/account-list.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "az login error: exit $RC"; }
expect_eq "no partner_link row" 0 "$(q "$T/e.db" "select count(*) from partner_link")"
expect_eq "link failure" "link|ImportedError|Please run 'az login' to setup account." \
	"$(q "$T/e.db" "select kind, error_code, error_message from request_failure where kind = 'link'")"
ok "another az error is a failed link read"

# 5. Other text is still the unknown file type error; nothing stored.
imp_in $TEN "$T/u.db" "$F/link-table.txt" "$F/account-list.json"
expect_eq "table output: exit" 2 "$RC"
grep -q "error: .*link-table.txt:1: unknown file type" "$T/imp.err" || { cat "$T/imp.err"; fail "table output: message"; }
[ ! -e "$T/u.db" ] || fail "table output: database created"
ok "az -o table output: $(grep error: "$T/imp.err" | head -1)"
