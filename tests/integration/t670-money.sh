#!/usr/bin/env bash
# Money in the reports: the demo scenario collected for 2026-07, 2026-09 and 2026-10 (the fake's
# costs run 2026-09-01..2026-10-31), then every money column of `report customers` checked against
# sums computed here in Python over the `report subscriptions` CSV of the same period
# (usage, attributed_usage, missing_usage per customer in its currency; attributed_usage 0 for
# a subscription that is not attributed), and a MISSING customer's reason_code against its
# missing subscription with the most usage (ties: the furthest code in reason_code order);
# `report summary`'s totals, blocking rows (usage at stake, sorted) and warning rows against the
# same subscriptions CSV.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/money.db
# 2026-07, 2026-09 and 2026-10: 2026-08 has no run (trend says so, and 2026-09 compares with 2026-07)
for p in 2026-07 2026-09 2026-10; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period "$p"
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
	for r in customers subscriptions summary; do
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
        # A MISSING customer's code: among its MISSING subscriptions that got further than
        # every UNKNOWN one, the one with the most usage, then the one that got furthest
        # (highest code in evaluation order).
        unk = [order.index(s["reason_code"]) for s in by_tenant[c["tenant_id"]] if s["status"] == "UNKNOWN"]
        mis = [s for s in by_tenant[c["tenant_id"]] if s["status"] == "MISSING"
               and order.index(s["reason_code"]) > max(unk, default=-1)]
        if c["status"] == "MISSING" and mis:
            top = max(mis, key=lambda s: (money(s["usage"]) if s["usage"] != "" else -1,
                                          order.index(s["reason_code"])))
            assert c["reason_code"] == top["reason_code"], (period, c["tenant_id"], c["reason_code"], top["reason_code"])
assert checked >= 20, checked
print("checked %d customer rows" % checked)
PY
ok "customers' usage, attributed_usage and missing_usage are the sums of their subscriptions"

"$PYTHON" - "$T" "$T/codes.txt" <<'PY' || fail "summary amounts"
import csv, sys
from collections import defaultdict
d = sys.argv[1]
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))
money = lambda s: None if s == "" else float(s)
for period in ("2026-09", "2026-10"):
    subs = rows("%s/subscriptions-%s.csv" % (d, period))
    cust = rows("%s/customers-%s.csv" % (d, period))
    summ = rows("%s/summary-%s.csv" % (d, period))
    sections = {r["section"] for r in summ}
    assert sections <= {"period", "partial_period", "run", "status", "usage", "attributed", "missing", "blocking", "warning", "policy"}, sections
    # totals per currency
    tot = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s in subs:
        if s["usage"] != "" and s["currency"] != "":
            t = tot[s["currency"]]
            t[0] += money(s["usage"])
            t[1] += money(s["attributed_usage"])
            if s["status"] != "ATTRIBUTED":
                t[2] += money(s["usage"])
    got = {(r["section"], r["currency"]): money(r["amount"]) for r in summ
           if r["section"] in ("usage", "attributed", "missing")}
    for cur, (u, a, m) in tot.items():
        assert got[("usage", cur)] == round(u, 2), (period, cur, got[("usage", cur)], u)
        assert got[("attributed", cur)] == round(a, 2), (period, cur, got[("attributed", cur)], a)
        assert got[("missing", cur)] == round(m, 2), (period, cur, got[("missing", cur)], m)
    assert len(got) == 3 * len(tot), (sorted(got), sorted(tot))
    # status counts
    for r in (r for r in summ if r["section"] == "status"):
        assert int(r["subscriptions"]) == sum(s["status"] == r["key"] for s in subs), r
        assert int(r["customers"]) == sum(c["status"] == r["key"] for c in cust), r
        assert r["detail"].startswith("%s customer(s) and %s subscription(s) are %s" % (r["customers"], r["subscriptions"], r["key"])), r
    # blocking: per (reason_code, currency) over the subscriptions that are not attributed, plus
    # the customers with no subscription (under currency '')
    blk = defaultdict(lambda: [set(), 0, None])
    for s in subs:
        if s["status"] == "ATTRIBUTED":
            continue
        b = blk[(s["reason_code"], s["currency"])]
        b[0].add(s["tenant_id"]); b[1] += 1
        if s["usage"] != "":
            b[2] = (b[2] or 0.0) + money(s["usage"])
    for c in cust:
        if c["subscriptions"] == "0" and c["reason_code"]:
            blk[(c["reason_code"], "")][0].add(c["tenant_id"])
    brows = [r for r in summ if r["section"] == "blocking"]
    assert len(brows) == len(blk), (len(brows), sorted(blk))
    for r in brows:
        ten, n, amt = blk[(r["key"], r["currency"])]
        assert int(r["customers"]) == len(ten) and int(r["subscriptions"]) == n, (r, len(ten), n)
        assert money(r["amount"]) == (None if amt is None else round(amt, 2)), (r, amt)
    amounts = [money(r["amount"]) if r["amount"] != "" else -1e300 for r in brows]
    assert amounts == sorted(amounts, reverse=True), amounts
    top = max(blk.items(), key=lambda kv: -1e300 if kv[1][2] is None else kv[1][2])
    assert (brows[0]["key"], brows[0]["currency"]) == top[0], (brows[0], top)
    for cur, (u, a, m) in tot.items():
        assert round(sum(money(r["amount"]) for r in brows if r["currency"] == cur), 2) == round(m, 2), cur
    # warnings: subscriptions whose reasons list the code
    for r in (r for r in summ if r["section"] == "warning"):
        mine = [s for s in subs if r["key"] in s["reasons"].split(";") and s["currency"] == r["currency"]]
        assert int(r["subscriptions"]) == len(mine), r
        assert money(r["amount"]) == round(sum(money(s["attributed_usage"]) for s in mine), 2), r
    keys = [(r["section"], r["key"], r["currency"]) for r in summ]
    assert len(keys) == len(set(keys)), "a code appears twice"
    print(period, "summary:", len(brows), "blocking rows, first", brows[0]["key"], brows[0]["amount"], brows[0]["currency"])
PY
ok "summary: totals, usage at stake per blocking code and currency (sorted), warnings, from the subscriptions CSV"

# report trend: one row per period and currency; months without a run are rows that say so.
"$PALSCOPE" report trend --db "$DB" --from 2026-06 --to 2026-11 --out "$T/trend.csv" || fail "report trend"
"$PALSCOPE" report trend --db "$DB" >"$T/trend-default.csv" || fail "report trend (defaults)"
"$PYTHON" - "$T" <<'PY' || fail "trend"
import csv, sys
from collections import defaultdict
d = sys.argv[1]
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))
money = lambda s: None if s == "" else float(s)
trend = rows(d + "/trend.csv")
periods = [r["period"] for r in trend]
assert sorted(set(periods)) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"], periods
assert periods == sorted(periods), "rows in period order"
for p in ("2026-06", "2026-08", "2026-11"):
    r = [x for x in trend if x["period"] == p]
    assert len(r) == 1 and r[0]["note"] == "no run for " + p and r[0]["run_id"] == "" and r[0]["subscriptions"] == "", r
dflt = rows(d + "/trend-default.csv")
assert sorted({r["period"] for r in dflt}) == ["2026-07", "2026-08", "2026-09", "2026-10"], [r["period"] for r in dflt]
prev = {"2026-07": None, "2026-09": "2026-07", "2026-10": "2026-09"}
def key(s):
    return (s["status"], s["reason_code"], round(money(s["attributed_usage"]), 2), s["tenant_id"].lower())
for p in ("2026-07", "2026-09", "2026-10"):
    subs = rows("%s/subscriptions-%s.csv" % (d, p))
    cust = rows("%s/customers-%s.csv" % (d, p))
    mine = {r["currency"]: r for r in trend if r["period"] == p}
    want = defaultdict(lambda: defaultdict(float))
    for s in subs:
        w = want[s["currency"]]
        w["subscriptions"] += 1
        w[s["status"].lower() + "_subscriptions"] += 1
        if s["usage"] != "":
            w["usage"] += money(s["usage"])
            if s["status"] != "ATTRIBUTED":
                w["missing_usage"] += money(s["usage"])
        w["attributed_usage"] += money(s["attributed_usage"])
    for c in cust:
        w = want[c["currency"]]
        w["customers"] += 1
        w[c["status"].lower() + "_customers"] += 1
    if prev[p]:
        old = {s["subscription_id"].lower(): s for s in rows("%s/subscriptions-%s.csv" % (d, prev[p]))}
        new = {s["subscription_id"].lower(): s for s in subs}
        for sid in set(old) | set(new):
            a, b = old.get(sid), new.get(sid)
            if a and b and key(a) == key(b):
                continue
            cur = (b["currency"] if b and b["currency"] else (a["currency"] if a else ""))
            want[cur]["changed_subscriptions"] += 1
    assert set(mine) == set(want), (p, sorted(mine), sorted(want))
    for cur, w in want.items():
        r = mine[cur]
        assert r["run_id"] != "", r
        assert r["compared_with"] == (prev[p] or ""), r
        for col in ("customers", "attributed_customers", "missing_customers", "unknown_customers",
                    "subscriptions", "attributed_subscriptions", "missing_subscriptions", "unknown_subscriptions"):
            assert int(r[col]) == int(w[col]), (p, cur, col, r[col], w[col])
        for col in ("usage", "attributed_usage", "missing_usage"):
            assert money(r[col]) == round(w[col], 2), (p, cur, col, r[col], w[col])
        if prev[p]:
            assert int(r["changed_subscriptions"]) == int(w["changed_subscriptions"]), (p, cur, r["changed_subscriptions"], w["changed_subscriptions"])
        else:
            assert r["changed_subscriptions"] == "" and r["note"].startswith("no earlier period"), r
    print(p, "trend:", {c: (r["subscriptions"], r["usage"], r["changed_subscriptions"]) for c, r in mine.items()})
total_changes = sum(int(r["changed_subscriptions"]) for r in trend if r["period"] == "2026-10")
assert total_changes > 0, "2026-09 -> 2026-10 changes nothing?"
PY
# the customer change count is the diff's row count (palscope diff lists exactly those rows)
"$PALSCOPE" diff --db "$DB" --from 2026-09 --to 2026-10 --customers --out "$T/diff-c.csv" || fail "diff"
want=$("$PYTHON" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$T/diff-c.csv")
got=$("$PYTHON" -c 'import csv,sys; print(sum(int(r["changed_customers"]) for r in csv.DictReader(open(sys.argv[1], newline="")) if r["period"] == "2026-10"))' "$T/trend.csv")
expect_eq "2026-10 changed customers = palscope diff rows" "$want" "$got"
"$PALSCOPE" diff --db "$DB" --from 2026-09 --to 2026-10 --subscriptions --out "$T/diff-s.csv" || fail "diff --subscriptions"
want=$("$PYTHON" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$T/diff-s.csv")
got=$("$PYTHON" -c 'import csv,sys; print(sum(int(r["changed_subscriptions"]) for r in csv.DictReader(open(sys.argv[1], newline="")) if r["period"] == "2026-10"))' "$T/trend.csv")
expect_eq "2026-10 changed subscriptions = palscope diff rows" "$want" "$got"
# bad ranges are usage errors
set +e
"$PALSCOPE" report trend --db "$DB" --from 2026-10 --to 2026-09 >/dev/null 2>"$T/bad.err"; rc=$?
set -e
expect_eq "--from after --to exit status" 2 "$rc"
grep -q "after --to" "$T/bad.err" || fail "--from after --to message"
set +e
"$PALSCOPE" report trend --db "$DB" --from 2026-13 >/dev/null 2>&1; rc=$?
set -e
expect_eq "bad --from exit status" 2 "$rc"
ok "trend: per period and currency counts, money and changes equal Python over the subscriptions CSVs; gaps are rows"
