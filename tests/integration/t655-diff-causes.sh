#!/usr/bin/env bash
# palscope diff and why --since on real collections: the demo partner collected for 2026-09,
# then for 2026-10 after the changes of tests/fake_azure/scenarios/make_changed.py (a link
# deleted, one added, one updated, roles changed / added / moved to another scope, a Lighthouse
# delegation removed, a subscription moved to another tenant, one deleted, one disabled, a
# rotated secret, usage that stops, cost that becomes unreadable, another offer, an identity
# dropped from the accounts file), then 2026-10 again as the demo (a re-collect: the same
# changes the other way). Every cause is checked on the CSV (Python's csv), with its evidence.
. "$(dirname "$0")/lib.sh"
demo_env
DB=$T/diff.db
"$PYTHON" "$FAKE/scenarios/make_changed.py" "$T/changed.json"
grep -v '^a0000011' "$FAKE/scenarios/demo-accounts.csv" >"$T/accounts-without-trey.csv"

start_server "$FAKE/scenarios/demo.json"
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-09
expect_eq "collect 2026-09 (one identity fails)" 1 "$RC"
stop_server
start_server "$T/changed.json"
collect --db "$DB" --accounts "$T/accounts-without-trey.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect 2026-10 changed" 1 "$RC"
stop_server

# default: the newest complete run (2) against the one before it (1)
"$PALSCOPE" -v diff --db "$DB" --subscriptions --out "$T/subs-1-2.csv" 2>"$T/diff.err" ||
	{ cat "$T/diff.err"; fail "diff --subscriptions"; }
grep -q "comparing run 1 (2026-09) with run 2 (2026-10)" "$T/diff.err" || fail "default runs: $(cat "$T/diff.err")"
"$PALSCOPE" diff --db "$DB" --out "$T/cust-1-2.csv" 2>/dev/null || fail "diff (customers)"
"$PALSCOPE" diff --db "$DB" --from 2026-09 --to 2 --customers >"$T/cust-1-2b.csv" 2>/dev/null || fail "diff --from PERIOD --to RUN"
cmp -s "$T/cust-1-2.csv" "$T/cust-1-2b.csv" || fail "--from 2026-09 --to 2 differs from the default"

HEADER='"tenant_id","customer_name","subscription_id","subscription_name","from_run","to_run","from_status","to_status","from_reason","to_reason","from_attributed_usage","to_attributed_usage","currency","cause","evidence"'
for f in subs-1-2 cust-1-2; do
	expect_eq "$f header" "$HEADER" "$(head -1 "$T/$f.csv")"
done

# expected: subscription name -> (from_status, to_status, to_reason, causes, evidence fragments)
"$PYTHON" - "$T/subs-1-2.csv" <<'PY' || fail "diff 1 -> 2 (subscriptions)"
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = {r["subscription_name"]: r for r in csv.DictReader(f, strict=True)}
want = {
    "Contoso Production": ("ATTRIBUTED", "MISSING", "NO_USAGE", "USAGE_STOPPED",
                           ["usage 1792.50 GBP in 2026-09", "none (0.00) in 2026-10"]),
    "Contoso Data Platform": ("MISSING", "ATTRIBUTED", "", "SCOPE_CHANGED",
                              ["'Contoso Ltd - collector' held Contributor at resource group rg-staging",
                               "holds Contributor at subscription in run 2"]),
    "Contoso Dev/Test": ("ATTRIBUTED", "MISSING", "ROLE_NOT_ELIGIBLE", "SUBSCRIPTION_MOVED_TENANT",
                         ["moved from tenant a0000001-0000-4000-8000-000000000000 (Contoso Ltd) to tenant a0000002"]),
    "Müller Buchhaltung": ("MISSING", "ATTRIBUTED", "", "ROLE_ADDED",
                           ["holds Support Request Contributor at subscription on the subscription in run 2"]),
    "AdventureWorks Production": ("MISSING", "ATTRIBUTED", "", "LINK_ADDED",
                                  ["was not linked in run 1 and is linked to partner ID 1234567 (since 2026-09-20)"]),
    "WWI Logistics": ("MISSING", "ATTRIBUTED", "", "LINK_CHANGED",
                      ["linked to partner ID 1234568 in run 1 and is linked to 1234567"]),
    "Northwind Main": ("MISSING", "MISSING", "NO_LINK", "LINK_REMOVED",
                       ["'Northwind Traders' in tenant a0000004-0000-4000-8000-000000000000 was linked to partner ID 1234567 (since 2025-02-03)"]),
    "Litware Trial": ("MISSING", "", "", "SUBSCRIPTION_GONE", ["does not see it in run 2"]),
    "Litware Operations": ("ATTRIBUTED", "MISSING", "SUBSCRIPTION_NOT_ACTIVE", "SUBSCRIPTION_DISABLED",
                           ["was Enabled in run 1 (2026-09", "is Disabled in run 2"]),
    "Litware Web": ("ATTRIBUTED", "UNKNOWN", "USAGE_UNREADABLE", "COST_UNREADABLE_NOW",
                    ["(1500.00 USD in 2026-09)", "HTTP 403 RBACAccessDenied"]),
    "Woodgrove Core Banking": ("ATTRIBUTED", "", "", "LIGHTHOUSE_DELEGATION_REMOVED",
                               ["the Lighthouse delegation 'Fabrikam Managed Azure'", "created 2025-01-15",
                                "'Fabrikam Cloud Partners (Lighthouse SP)' saw it"]),
    # EA is attributed under the default policy (ea=pal: views/11_policy_option.sql)
    "Litware Enterprise": ("ATTRIBUTED", "ATTRIBUTED", "", "USAGE_CHANGED",
                           ["usage 7500.00 USD in 2026-09", "7750.00 USD in 2026-10"]),
    "Woodgrove Payments": ("ATTRIBUTED", "ATTRIBUTED", "", "USAGE_CHANGED",
                           ["usage 2640.00 CAD in 2026-09", "2728.00 CAD in 2026-10"]),
    "Lucerne Finance": ("UNKNOWN", "MISSING", "OFFER_EXCLUDED", "OFFER_CHANGED",
                        ["was PayAsYouGo_2014-09-01 in run 1", "is MSDN_2014-09-01 in run 2"]),
    "Lucerne Azure Plan (CSP)": ("ATTRIBUTED", "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_CHANGED",
                                 ["'Lucerne Publishing' held Contributor at subscription",
                                  "holds Reader at subscription in run 2"]),
    "Trey Research Lab": ("MISSING", "", "", "IDENTITY_NOT_COLLECTED",
                          ["'Trey Research' (tenant a0000011-0000-4000-8000-000000000000) was collected in run 1",
                           "no longer in the accounts file"]),
}
bad = []
for name, (fs, ts, tr, cause, ev) in want.items():
    r = rows.get(name)
    if r is None:
        bad.append("%s: no row" % name); continue
    got = (r["from_status"], r["to_status"], r["to_reason"], r["cause"])
    if got != (fs, ts, tr, cause):
        bad.append("%s: %r, want %r" % (name, got, (fs, ts, tr, cause)))
    for e in ev:
        if e not in r["evidence"]:
            bad.append("%s: evidence lacks %r: %r" % (name, e, r["evidence"]))
    if (r["from_run"], r["to_run"]) != ("1", "2"):
        bad.append("%s: runs %s -> %s" % (name, r["from_run"], r["to_run"]))
# amounts: attributed usage is the subscription's attributed cost, 0 when not attributed
r = rows["Contoso Production"]
if (r["from_attributed_usage"], r["to_attributed_usage"], r["currency"]) != ("1792.50", "0.00", "GBP"):
    bad.append("Contoso Production amounts %r" % ((r["from_attributed_usage"], r["to_attributed_usage"], r["currency"]),))
# the moved subscription is reported under its new tenant
if rows["Contoso Dev/Test"]["tenant_id"] != "a0000002-0000-4000-8000-000000000000":
    bad.append("moved subscription tenant %s" % rows["Contoso Dev/Test"]["tenant_id"])
# unchanged subscriptions are not listed (Müller Produktion lost only an ineligible role)
for name in ("Müller Produktion", "Contoso Sandbox (Visual Studio)"):
    if name in rows:
        bad.append("%s is listed but did not change" % name)
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
ok "diff --subscriptions 1 -> 2: every cause with its evidence"

"$PYTHON" - "$T/cust-1-2.csv" <<'PY' || fail "diff 1 -> 2 (customers)"
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = {r["customer_name"]: r for r in csv.DictReader(f, strict=True)}
want = {
    "'=Formula Foods AB": ("MISSING", "UNKNOWN", "IDENTITY_SIGNIN_FAILING",
                           ["sign-in as '=Formula Foods AB' to tenant a0000003-0000-4000-8000-000000000000 worked in run 1",
                            "with AADSTS7000215"]),
    # several causes, ';'-separated in evaluation order
    "Contoso Ltd": ("ATTRIBUTED", "ATTRIBUTED", "SUBSCRIPTION_MOVED_TENANT;SCOPE_CHANGED;USAGE_STOPPED",
                    ["'Contoso Dev/Test' (50100002-0000-4000-8000-000000000000): the subscription moved",
                     "'Contoso Production' (50100001-0000-4000-8000-000000000000): usage 1792.50 GBP"]),
    "Lucerne Publishing": ("ATTRIBUTED", "MISSING", "ROLE_CHANGED;OFFER_CHANGED", []),
    # its EA subscription keeps it attributed (ea=pal)
    "Litware, Inc.": ("ATTRIBUTED", "ATTRIBUTED",
                      "SUBSCRIPTION_GONE;SUBSCRIPTION_DISABLED;COST_UNREADABLE_NOW;USAGE_CHANGED", []),
    "Northwind Traders": ("MISSING", "MISSING", "LINK_REMOVED", []),
    "Trey Research": ("MISSING", "", "IDENTITY_NOT_COLLECTED", []),
}
bad = []
for name, (fs, ts, cause, ev) in want.items():
    r = rows.get(name)
    if r is None:
        bad.append("%s: no row" % name); continue
    if (r["from_status"], r["to_status"], r["cause"]) != (fs, ts, cause):
        bad.append("%s: %r" % (name, (r["from_status"], r["to_status"], r["cause"])))
    for e in ev:
        if e not in r["evidence"]:
            bad.append("%s: evidence lacks %r: %r" % (name, e, r["evidence"]))
r = rows["Contoso Ltd"]
if (r["from_attributed_usage"], r["to_attributed_usage"]) != ("2077.50", "3720.00"):
    bad.append("Contoso amounts %r" % ((r["from_attributed_usage"], r["to_attributed_usage"]),))
if "Trey Research" in rows and rows["Trey Research"]["subscription_name"] != "Trey Research Lab":
    bad.append("customer row names its deciding subscription")
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
ok "diff (customers) 1 -> 2: identity causes, several causes in order, amounts"

# why --since: the story at the top of the answer
NO_COLOR= "$PALSCOPE" why "Lucerne" --db "$DB" --since 2026-09 >"$T/why.out" 2>/dev/null || fail "why --since"
head -1 "$T/why.out" | grep -q "^Since run 1 (2026-09): counted (570.00 CHF) in 2026-09, missing" ||
	{ cat "$T/why.out"; fail "why --since first line"; }
tr '\n' ' ' <"$T/why.out" | sed 's/  */ /g' >"$T/why.flat"
grep -q "missing (ROLE_NOT_ELIGIBLE) in 2026-10: ROLE_CHANGED;OFFER_CHANGED." "$T/why.flat" || { cat "$T/why.out"; fail "why --since story"; }
grep -q "'Lucerne Publishing' held Contributor at subscription on the subscription in run 1" "$T/why.flat" || fail "why --since evidence"
grep -q "Customer MISSING ROLE_NOT_ELIGIBLE: Lucerne Publishing" "$T/why.out" || fail "why answer follows the story"
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$T/why.out" || fail "why --since fits 80 columns"
NO_COLOR= "$PALSCOPE" why "Tailspin" --db "$DB" --since 1 >"$T/why2.out" 2>/dev/null || fail "why --since unchanged"
head -2 "$T/why2.out" | tr '\n' ' ' | sed 's/  */ /g' | grep -q "no change in status, reason or attributed usage as of run 2 (2026-10)" ||
	{ cat "$T/why2.out"; fail "why --since for an unchanged customer"; }
ok "why --since: the story first (counted in 2026-09, missing in 2026-10, causes, evidence)"

# A re-collect of 2026-10 as the demo: the same changes the other way (same period, runs 2 -> 3)
start_server "$FAKE/scenarios/demo.json"
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
stop_server
"$PALSCOPE" -v diff --db "$DB" --subscriptions --out "$T/subs-2-3.csv" 2>"$T/diff.err" || fail "diff 2 -> 3"
grep -q "comparing run 2 (2026-10) with run 3 (2026-10)" "$T/diff.err" || fail "default after re-collect: $(cat "$T/diff.err")"
"$PALSCOPE" diff --db "$DB" --from 2 --to 3 --out "$T/cust-2-3.csv" 2>/dev/null || fail "diff 2 -> 3 customers"
"$PYTHON" - "$T/subs-2-3.csv" "$T/cust-2-3.csv" <<'PY' || fail "diff 2 -> 3"
import csv, sys
def load(p, key):
    with open(p, newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f, strict=True)}
subs, cust = load(sys.argv[1], "subscription_name"), load(sys.argv[2], "customer_name")
want = {
    "Contoso Production": "USAGE_STARTED", "Contoso Data Platform": "SCOPE_CHANGED",
    "Müller Buchhaltung": "ROLE_REMOVED", "AdventureWorks Production": "LINK_REMOVED",
    "Litware Operations": "SUBSCRIPTION_ENABLED", "Litware Web": "COST_READABLE_NOW",
    "Woodgrove Core Banking": "LIGHTHOUSE_DELEGATION_ADDED", "Northwind Main": "LINK_ADDED",
    "Lucerne Azure Plan (CSP)": "ROLE_CHANGED", "Trey Research Lab": "IDENTITY_NEWLY_COLLECTED",
}
bad = ["%s: %r, want %r" % (n, subs.get(n, {}).get("cause"), c) for n, c in want.items()
       if subs.get(n, {}).get("cause") != c]
r = subs.get("Müller Buchhaltung", {})
if "the role assignment Support Request Contributor at subscription of 'Müller & Söhne, \"GmbH\"' on the subscription was removed between run 2" not in r.get("evidence", ""):
    bad.append("ROLE_REMOVED evidence %r" % r.get("evidence"))
if "(it still holds Reader at subscription" not in r.get("evidence", "") and "still holds" not in r.get("evidence", ""):
    bad.append("ROLE_REMOVED says what is left: %r" % r.get("evidence"))
if cust.get("'=Formula Foods AB", {}).get("cause") != "IDENTITY_SIGNIN_WORKING":
    bad.append("Formula Foods %r" % cust.get("'=Formula Foods AB", {}).get("cause"))
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
ok "diff of two runs of one period (re-collect): the reverse causes"

# Periods: the newest complete run of each; the SQL views compare consecutive periods
"$PALSCOPE" -v diff --db "$DB" --from 2026-09 --to 2026-10 --subscriptions --out "$T/p.csv" 2>"$T/diff.err" || fail "diff periods"
grep -q "comparing run 1 (2026-09) with run 3 (2026-10)" "$T/diff.err" || fail "periods resolve to runs 1 and 3"
expect_eq "diff_pair view" "1|2026-09|3|2026-10" "$(q "$DB" 'select * from diff_pair')"
n_csv=$("$PYTHON" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$T/p.csv")
expect_eq "subscription_change rows = diff --from 2026-09 --to 2026-10 rows" "$n_csv" \
	"$(q "$DB" 'select count(*) from subscription_change')"
[ "$n_csv" -gt 0 ] || fail "the periods differ (30 vs 31 days of usage at least)"
ok "periods compare their newest complete runs; diff_pair / subscription_change in sqlite3"

# Errors: one line, non-zero exit
expect_rc() { # RC WHAT ARGS...
	local want=$1 what=$2; shift 2
	set +e; "$PALSCOPE" "$@" >"$T/e.out" 2>"$T/e.err"; local rc=$?; set -e
	expect_eq "$what exit status" "$want" "$rc"
	grep -q "error" "$T/e.err" || fail "$what: no error message"
}
expect_rc 1 "unknown run" diff --db "$DB" --from 99
grep -q "has no run 99" "$T/e.err" || fail "unknown run: $(cat "$T/e.err")"
expect_rc 1 "period without runs" diff --db "$DB" --from 2025-01
grep -q "no complete run of 2025-01" "$T/e.err" || fail "no run of period: $(cat "$T/e.err")"
expect_rc 2 "bad --from" diff --db "$DB" --from last-month
expect_rc 2 "same run" diff --db "$DB" --from 3 --to 3
expect_rc 2 "both kinds" diff --db "$DB" --customers --subscriptions
expect_rc 1 "why --since unknown run" why Contoso --db "$DB" --since 42
ok "errors: unknown run, period without a run, bad value, same run, both kinds"
