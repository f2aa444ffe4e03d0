#!/usr/bin/env bash
# Money in the reports: the demo scenario collected for 2026-09 and 2026-10 (the fake's costs
# run 2026-09-01..2026-10-31), then every money column of `report customers` checked against
# sums computed here in Python over the `report subscriptions` CSV of the same period
# (usage, attributed_usage, missing_usage per customer in its currency; attributed_usage 0 for
# a subscription that is not attributed), and a MISSING customer's reason_code against its
# missing subscription with the most usage (ties: the furthest code in reason_code order).
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/money.db
for p in 2026-09 2026-10; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period "$p"
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
	for r in customers subscriptions; do
		"$PALSCOPE" report "$r" --db "$DB" --period "$p" --out "$T/$r-$p.csv" || fail "report $r $p"
	done
done
q "$DB" "SELECT code FROM reason_code ORDER BY ord" >"$T/codes.txt"

"$PYTHON" - "$T" "$T/codes.txt" <<'PY' || fail "money columns"
import csv, sys
from collections import defaultdict
d = sys.argv[1]
order = [l.strip() for l in open(sys.argv[2]) if l.strip()]
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))
def money(s):
    return None if s == "" else float(s)
checked = 0
for period in ("2026-09", "2026-10"):
    subs = rows("%s/subscriptions-%s.csv" % (d, period))
    cust = rows("%s/customers-%s.csv" % (d, period))
    assert subs and cust, period
    by_tenant = defaultdict(list)
    for s in subs:
        u, a = money(s["usage"]), money(s["attributed_usage"])
        if s["status"] != "ATTRIBUTED":
            assert a == 0, (period, s["subscription_id"], "attributed_usage of a non-attributed subscription", a)
        elif u is not None:
            assert 0 <= a <= u + 0.005, (period, s["subscription_id"], a, u)
        by_tenant[s["tenant_id"]].append(s)
    for c in cust:
        mine = [s for s in by_tenant[c["tenant_id"]] if s["currency"] == c["currency"]]
        known = [money(s["usage"]) for s in mine if s["usage"] != ""]
        want_usage = round(sum(known), 2)
        want_missing = round(sum(money(s["usage"]) for s in mine
                                 if s["usage"] != "" and s["status"] != "ATTRIBUTED"), 2)
        want_attr = round(sum(money(s["attributed_usage"]) for s in mine), 2)
        if c["usage"] == "":
            # unknown: no readable cost, or the tenant's own reads failed before any subscription
            assert not known or int(c["subscriptions"]) == 0, (period, c["tenant_id"], known)
            assert c["missing_usage"] == "", c
        else:
            assert money(c["usage"]) == want_usage, (period, c["tenant_id"], c["usage"], want_usage)
            assert money(c["missing_usage"]) == want_missing, (period, c["tenant_id"], c["missing_usage"], want_missing)
        assert money(c["attributed_usage"]) == want_attr, (period, c["tenant_id"], c["attributed_usage"], want_attr)
        checked += 1
        # A MISSING customer's code: its missing subscription with the most usage, then the
        # one that got furthest (highest code in evaluation order).
        mis = [s for s in by_tenant[c["tenant_id"]] if s["status"] == "MISSING"]
        if c["status"] == "MISSING" and mis:
            top = max(mis, key=lambda s: (money(s["usage"]) if s["usage"] != "" else -1,
                                          order.index(s["reason_code"])))
            assert c["reason_code"] == top["reason_code"], (period, c["tenant_id"], c["reason_code"], top["reason_code"])
assert checked >= 20, checked
print("checked %d customer rows" % checked)
PY
ok "customers' usage, attributed_usage and missing_usage are the sums of their subscriptions"
