#!/usr/bin/env bash
# A read that failed (not interrupted: the run ended) never yields a confident wrong code. With
# the fake's fault injection (tests/fake_azure/README.md "faults"), after the retries:
# - Contoso's collector: 500 on its role assignments of Contoso Production (50100001), which the
#   legacy automation identity also sees (a Reader assignment added below; that identity is linked
#   to another partner ID). The subscription is UNKNOWN/COLLECTION_FAILED naming the failed read,
#   not MISSING LINK_WRONG_PARTNER_ID from the other identity.
# - 503 on the cost query of Contoso Dev/Test (50100002): UNKNOWN/USAGE_UNREADABLE with HTTP 503,
#   never NO_USAGE; the second cost page of Litware 50800004: USAGE_UNREADABLE, not a partial sum.
# - 500 on the Lighthouse delegations of Woodgrove 50900001 (read by Fabrikam): COLLECTION_FAILED.
# - 500 on Adventure Works' partner link: the customer is UNKNOWN/COLLECTION_FAILED, not NO_LINK.
# - 500 on Trey Research's subscription list: UNKNOWN/COLLECTION_FAILED, not "no subscription".
# Everything else equals the fault-free run's report.
. "$(dirname "$0")/lib.sh"
demo_env
COLLECTOR_OID=0b010001-0000-4000-8000-000000000000
ADVENTURE=a0000005-0000-4000-8000-000000000000
TREY=a0000011-0000-4000-8000-000000000000
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/base.json" "$T/faults.json" <<PY
import json, sys
s = json.load(open(sys.argv[1]))
# the legacy automation identity also sees Contoso Production (Reader: not PEC-eligible)
s["role_assignments"].append({"principalId": "0b010002-0000-4000-8000-000000000000",
    "roleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "scope": "/subscriptions/50100001-0000-4000-8000-000000000000",
    "createdOn": "2025-03-10T09:15:22.1234567Z", "createdBy": "0b000999-0000-4000-8000-000000000000"})
json.dump(s, open(sys.argv[2], "w"))
RA = "/providers/Microsoft.Authorization/roleAssignments$"
COST = "/providers/Microsoft.CostManagement/query$"
s["faults"] = [
  {"method": "GET", "path_regex": "^/subscriptions/50100001-0000-4000-8000-000000000000" + RA,
   "query_regex": "$COLLECTOR_OID", "times": -1, "action": {"status": 500}},
  {"method": "POST", "path_regex": "^/subscriptions/50100002-0000-4000-8000-000000000000" + COST,
   "times": -1, "action": {"status": 503}},
  {"method": "POST", "path_regex": "^/subscriptions/50800004-0000-4000-8000-000000000000" + COST,
   "query_regex": "skiptoken", "times": -1, "action": {"status": 500}},
  {"method": "GET", "path_regex": "^/subscriptions/50900001-0000-4000-8000-000000000000/providers/Microsoft.ManagedServices",
   "times": -1, "action": {"status": 500}},
  {"method": "GET", "path_regex": "^/providers/Microsoft.ManagementPartner/partners$", "tenant": "$ADVENTURE",
   "times": -1, "action": {"status": 500}},
  {"method": "GET", "path_regex": "^/subscriptions$", "tenant": "$TREY", "times": -1, "action": {"status": 500}},
]
json.dump(s, open(sys.argv[3], "w"))
PY
ACC=$FAKE/scenarios/demo-accounts.csv
start_server "$T/base.json"
collect --db "$T/base.db" --accounts "$ACC" --partner-id 1234567 --period 2026-10
expect_eq "fault-free collect exit (one demo identity fails)" 1 "$RC"
stop_server
start_server "$T/faults.json"
collect --db "$T/f.db" --accounts "$ACC" --partner-id 1234567 --period 2026-10
expect_eq "collect exit with faults" 1 "$RC"
expect_eq "run ended" partial "$(q "$T/f.db" "select status from run")"
for db in base f; do
	for r in subscriptions customers; do
		"$PALSCOPE" report "$r" --db "$T/$db.db" --out "$T/$db-$r.csv" 2>"$T/$db-$r.err" || fail "report $r ($db)"
		no_sanitizer_report "$T/$db-$r.err"
	done
done
# The fault-free run has the answers the faults must not turn into another confident code.
"$PYTHON" - "$T" <<'PY' || fail "fault-free run is not the baseline this test assumes"
import csv, sys
t = sys.argv[1]
subs = {r["subscription_id"]: r for r in csv.DictReader(open(t + "/base-subscriptions.csv", newline="", encoding="utf-8"), strict=True)}
want = {"50100001": "ATTRIBUTED", "50100002": "ATTRIBUTED", "50800004": "ATTRIBUTED",
        "50900001": "ATTRIBUTED"}
for k, v in want.items():
    r = subs[k + "-0000-4000-8000-000000000000"]
    assert r["status"] == v, (k, r["status"], r["reason_code"])
r = subs["50100001-0000-4000-8000-000000000000"]
assert "legacy automation" in r["principals"], r["principals"]
PY
"$PYTHON" - "$T" <<'PY' || fail "failed reads evaluated wrongly"
import csv, sys
t = sys.argv[1]
def load(name, key):
    with open("%s/%s.csv" % (t, name), newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f, strict=True)}
base, got = load("base-subscriptions", "subscription_id"), load("f-subscriptions", "subscription_id")
bc, gc = load("base-customers", "tenant_id"), load("f-customers", "tenant_id")
S = lambda p: p + "-0000-4000-8000-000000000000"
bad = []
def expect(sid, status, code, *words):
    r = got.get(S(sid))
    if r is None:
        bad.append("%s: missing from the report" % sid)
        return
    if (r["status"], r["reason_code"]) != (status, code):
        bad.append("%s: %s %s (%s), want %s %s" % (sid, r["status"], r["reason_code"], r["explanation"], status, code))
    for w in words:
        if w not in r["explanation"]:
            bad.append("%s: explanation lacks %r: %s" % (sid, w, r["explanation"]))
expect("50100001", "UNKNOWN", "COLLECTION_FAILED", "role_assignments: HTTP 500", "Contoso Ltd - collector")
expect("50100002", "UNKNOWN", "USAGE_UNREADABLE", "HTTP 503")
expect("50800004", "UNKNOWN", "USAGE_UNREADABLE", "HTTP 500")
expect("50900001", "UNKNOWN", "COLLECTION_FAILED", "lighthouse: HTTP 500")
for r in got.values():
    assert not (r["usage"] and r["status"] == "UNKNOWN" and r["reason_code"] == "USAGE_UNREADABLE"), r
for ten, words in (("a0000005", "partner link"), ("a0000011", "subscription list")):
    r = gc.get(S(ten))
    if r is None or (r["status"], r["reason_code"]) != ("UNKNOWN", "COLLECTION_FAILED") or words not in r["explanation"] or "HTTP 500" not in r["explanation"]:
        bad.append("customer %s: %r" % (ten, r and (r["status"], r["reason_code"], r["explanation"])))
# Contoso: no subscription attributed, one UNKNOWN for a failed read: the customer is UNKNOWN,
# not the MISSING of its other subscriptions.
c = gc.get(S("a0000001"))
if c is None or (c["status"], c["reason_code"]) != ("UNKNOWN", "COLLECTION_FAILED") or bc[S("a0000001")]["status"] != "ATTRIBUTED":
    bad.append("customer Contoso: %r" % (c and (c["status"], c["reason_code"], c["explanation"])))
# No subscription of Adventure Works is MISSING NO_LINK.
for r in got.values():
    if r["tenant_id"] == S("a0000005") and r["status"] == "MISSING":
        bad.append("Adventure Works %s: MISSING %s after a failed link read" % (r["subscription_id"], r["reason_code"]))
# Every subscription the faults did not touch has the fault-free answer.
touched = {S(x) for x in ("50100001", "50100002", "50800004", "50900001")}
for sid, b in base.items():
    if sid in touched or b["tenant_id"] in (S("a0000005"), S("a0000011")):
        continue
    g = got.get(sid)
    if g is None or (g["status"], g["reason_code"]) != (b["status"], b["reason_code"]):
        bad.append("%s untouched but %r, fault-free %r" % (sid, g and (g["status"], g["reason_code"]), (b["status"], b["reason_code"])))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
ok "failed reads (roles, cost, second cost page, Lighthouse, link, subscription list) are UNKNOWN with their cause"
