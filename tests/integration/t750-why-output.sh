#!/usr/bin/env bash
# palscope why --output json|csv|tsv|table (reports/why_story.c, cli/cmd_why.c): for every customer
# of the demo partner (collected from the fake Azure endpoint) and of the rule fixture
# (tests/fixtures/report/rules.sql: one subscription per reason code), the JSON story is parsed
# (python3 -m json.tool, then json) and checked against `report customers` and `report
# subscriptions` (same fields, same values), its checks (six, in order, ok true/false, evidence),
# and a subscription that is not attributed has a failing check while an attributed one has
# none; csv is parsed back with Python's csv (one row per check, the same verdicts as the JSON),
# tsv has the same rows without a header; table is the text story; an unknown format is a usage
# error (exit 2) and a query that matches nothing gives [] and exit 1.
. "$(dirname "$0")/lib.sh"

check_db() { # check_db DB PERIOD
	local db=$1 period=$2 t n=0
	"$PALSCOPE" report customers --db "$db" --period "$period" --out "$T/customers.csv" 2>/dev/null
	"$PALSCOPE" report subscriptions --db "$db" --period "$period" --out "$T/subscriptions.csv" 2>/dev/null
	"$PYTHON" -c 'import csv,sys; [print(r["tenant_id"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]' \
		"$T/customers.csv" >"$T/tenants"
	while IFS= read -r t; do
		"$PALSCOPE" why "$t" --db "$db" --period "$period" -o json >"$T/why.json" 2>"$T/why.err" ||
			fail "why $t -o json: exit $?: $(cat "$T/why.err")"
		no_sanitizer_report "$T/why.err"
		"$PYTHON" -m json.tool "$T/why.json" >/dev/null || fail "why $t -o json: not JSON"
		"$PALSCOPE" why "$t" --db "$db" --period "$period" --output csv >"$T/why.csv"
		"$PALSCOPE" why "$t" --db "$db" --period "$period" -o tsv >"$T/why.tsv"
		"$PYTHON" - "$t" "$T/why.json" "$T/why.csv" "$T/why.tsv" "$T/customers.csv" "$T/subscriptions.csv" <<'PY' ||
import csv, json, sys
tenant, jpath, cpath, tpath, custp, subp = sys.argv[1:]
stories = json.load(open(jpath))
def fail(msg):
    sys.exit(f"{tenant}: {msg}")
mine = [s for s in stories if s["tenant_id"].lower() == tenant.lower()]
if len(mine) != 1:
    fail(f"{len(mine)} stories for the tenant")
s = mine[0]
if not s["whole"]:
    fail("the tenant id matched, but whole is false")
def guard(v):  # the CSV formula guard: a text cell starting with = + - @ tab CR gets a '
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
def read(path):
    return list(csv.DictReader(open(path, newline="")))
cust = next(r for r in read(custp) if r["tenant_id"] == s["tenant_id"])
for k in ("tenant_id", "customer_name", "status", "reason_code", "currency", "explanation"):
    if guard(s[k]) != cust[k]:
        fail(f"{k}: json {s[k]!r}, report customers {cust[k]!r}")
for k in ("subscriptions", "attributed_subscriptions"):
    if s[k] != int(cust[k]) or type(s[k]) is not int:
        fail(f"{k}: json {s[k]!r}, report customers {cust[k]!r}")
if abs(s["attributed_usage"] - float(cust["attributed_usage"] or 0)) > 0.005:
    fail(f"attributed_usage: json {s['attributed_usage']}, csv {cust['attributed_usage']}")
# the actor of each blocking code as docs say it (partner: sign-ins, links, PIM, cost
# visibility; customer: roles, scopes, subscription state; none: nobody can act)
ACTOR = dict([(c, "partner") for c in ("COLLECTION_FAILED", "PRINCIPAL_DELETED", "PRINCIPAL_DISABLED",
              "NO_LINK", "LINK_WRONG_PARTNER_ID", "PIM_ELIGIBLE_ONLY", "EA_DPOR_EXPECTED", "USAGE_UNREADABLE")]
             + [(c, "customer") for c in ("NO_RBAC", "ROLE_NOT_ELIGIBLE", "SCOPE_EXCLUDES_USAGE",
                "SUBSCRIPTION_NOT_ACTIVE")]
             + [(c, "none") for c in ("ASSIGNMENT_TOO_RECENT", "NO_USAGE", "OFFER_EXCLUDED",
                "CLOUD_NOT_ELIGIBLE", "MARKETPLACE_OFFER")])
if s["actor"] != ACTOR.get(s["reason_code"], ""):
    fail(f"customer {s['reason_code']}: actor {s['actor']!r}")
subs = {r["subscription_id"]: r for r in read(subp) if r["tenant_id"] == s["tenant_id"]}
names = ["identity", "offer", "link", "role", "scope", "cost"]
want_rows = []
for st in s["subscription_stories"]:
    r = subs.get(st["subscription_id"])
    if r is None:
        fail(f"{st['subscription_id']} is not in report subscriptions")
    for k in ("subscription_name", "status", "reason_code"):
        if guard(st[k]) != r[k]:
            fail(f"{st['subscription_id']} {k}: json {st[k]!r}, report {r[k]!r}")
    if ";".join(st["reasons"]) != r["reasons"]:
        fail(f"{st['subscription_id']} reasons: {st['reasons']} vs {r['reasons']!r}")
    if guard(st["fix"]) != r["explanation"]:
        fail(f"{st['subscription_id']}: fix is not the report's explanation")
    # who must act on the fix: the reason code's actor (views/12_reason_code.sql)
    if st["actor"] != ACTOR.get(st["reason_code"], ""):
        fail(f"{st['subscription_id']} {st['reason_code']}: actor {st['actor']!r}")
    if [c["check"] for c in st["checks"]] != names:
        fail(f"{st['subscription_id']}: checks {[c['check'] for c in st['checks']]}")
    for c in st["checks"]:
        if type(c["ok"]) is not bool or not isinstance(c["evidence"], str) or not c["evidence"]:
            fail(f"{st['subscription_id']}: check {c}")
    failed = [c["check"] for c in st["checks"] if not c["ok"]]
    if st["status"] == "ATTRIBUTED" and failed:
        fail(f"{st['subscription_id']} attributed but {failed} fail")
    if st["status"] != "ATTRIBUTED" and not failed:
        fail(f"{st['subscription_id']} {st['status']} {st['reason_code']} but every check passes")
    if st["currency"] and st["usage"] is not None and abs(st["usage"] - float(r["usage"] or 0)) > 0.005:
        fail(f"{st['subscription_id']} usage {st['usage']} vs {r['usage']}")
    for c in st["checks"]:
        want_rows.append([s["tenant_id"], s["customer_name"], st["subscription_id"], c["check"],
                          "1" if c["ok"] else "0", c["evidence"], st["fix"]])
if not s["subscription_stories"]:
    want_rows.append([s["tenant_id"], s["customer_name"], "", "customer",
                      "1" if s["status"] == "ATTRIBUTED" else "0",
                      ";".join(s["reasons"]) or s["status"], s["explanation"]])
rows = list(csv.reader(open(cpath, newline="")))
if rows[0] != ["tenant_id", "customer_name", "subscription_id", "check", "ok", "evidence", "fix"]:
    fail(f"csv header {rows[0]}")
got = rows[1:]
want_rows = [[v if i == 4 else guard(v) for i, v in enumerate(w)] for w in want_rows]
if got != want_rows:
    fail(f"csv rows differ from the json checks:\n{got[:3]}\n{want_rows[:3]}")
tsv = [line.split("\t") for line in open(tpath, encoding="utf-8").read().split("\n") if line]
if len(tsv) != len(want_rows) or any(len(x) != 7 for x in tsv):
    fail(f"tsv: {len(tsv)} rows, want {len(want_rows)} of 7 fields")
if [x[3] for x in tsv] != [w[3] for w in want_rows] or [x[4] for x in tsv] != [w[4] for w in want_rows]:
    fail("tsv checks differ from csv")
PY
			fail "why $t ($db): formats disagree"
		n=$((n + 1))
	done <"$T/tenants"
	[ "$n" -ge 4 ] || fail "only $n customers in $db"
	ok "why -o json/csv/tsv agree with report customers/subscriptions for $n customers of $(basename "$db")"
}

# The demo partner, collected.
demo_env
start_server "$FAKE/scenarios/demo.json"
collect --db "$T/demo.db" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
check_db "$T/demo.db" 2026-10

# The rule fixture, loaded as t740 does.
db=$T/rules.db
: >"$db"
chmod 600 "$db"
"$PALSCOPE" report summary --db "$db" --period 2026-10 >/dev/null 2>&1 || true
sqlite3 "$db" <"$SRCDIR/tests/fixtures/report/rules.sql" || fail "load rules.sql"
"$PALSCOPE" report summary --db "$db" --period 2026-10 >/dev/null
check_db "$db" 2026-10

# table (the default, also when piped) is the text story
"$PALSCOPE" why Contoso --db "$T/demo.db" >"$T/t1.out"
"$PALSCOPE" why Contoso --db "$T/demo.db" -o table >"$T/t2.out"
cmp -s "$T/t1.out" "$T/t2.out" || fail "-o table differs from the default"
head -1 "$T/t1.out" | grep -q '^Customer ' || fail "table: $(head -1 "$T/t1.out")"
grep -q '^    \[FAIL\] ' "$T/t1.out" || fail "table: no failed check for Contoso"
ok "why -o table is the default text story"

# errors: an unknown format is a usage error; no match gives [] and exit 1
set +e
"$PALSCOPE" why Contoso --db "$T/demo.db" -o xml >"$T/e.out" 2>"$T/e.err"
rc=$?
set -e
expect_eq "why -o xml exit" 2 "$rc"
[ "$(wc -l <"$T/e.err")" -eq 1 ] || fail "why -o xml: $(cat "$T/e.err")"
grep -q "xml" "$T/e.err" || fail "why -o xml: $(cat "$T/e.err")"
[ ! -s "$T/e.out" ] || fail "why -o xml wrote to stdout"
set +e
"$PALSCOPE" why zz-no-such-customer --db "$T/demo.db" -o json >"$T/n.out" 2>"$T/n.err"
rc=$?
set -e
expect_eq "why no match -o json exit" 1 "$rc"
"$PYTHON" -c 'import json,sys; assert json.load(open(sys.argv[1])) == []' "$T/n.out" || fail "no match: $(cat "$T/n.out")"
grep -q "no customer or subscription matches" "$T/n.err" || fail "no match: $(cat "$T/n.err")"
ok "why -o xml exit 2 in one line; no match: [] and exit 1"
