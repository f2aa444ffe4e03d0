#!/usr/bin/env bash
# palscope why evaluates the rule views for the customers its argument can be about only
# (sql/scripts/why_scope.sql), not for the whole period: the scale issue's "why in a fraction of
# a second on 50,000 subscriptions". The answer must be the one the whole evaluation gives, so
# this test asks both ways (PALSCOPE_WHY_FULL=1 evaluates the whole period) and compares stdout,
# stderr and the exit status byte for byte, for every tenant id, subscription id and customer
# name (and parts of names) of:
# - the rule fixture (tests/fixtures/report/rules.sql: three runs of one period, several
#   identities per tenant, Lighthouse delegations, groups, failed sign-ins, awkward names), and
# - the demo partner collected from the fake Azure endpoint.
. "$(dirname "$0")/lib.sh"

compare_all() { # compare_all DB PERIOD: every question both ways
	local db=$1 period=$2 n=0 q
	"$PYTHON" - "$db" "$period" >"$T/questions" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
p = sys.argv[2]
qs = set()
for sql in ("SELECT i.tenant_id FROM identity i JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT s.tenant_id FROM subscription s JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT s.subscription_id FROM subscription s JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT t.display_name FROM tenant t JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT s.display_name FROM subscription s JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT i.label FROM identity i JOIN run r USING (run_id) WHERE r.period = ?",
            "SELECT la.managee_tenant_name FROM lighthouse_assignment la JOIN run r USING (run_id) WHERE r.period = ?"):
    for (v,) in con.execute(sql, (p,)):
        if v:
            qs.add(v)
            if len(v) > 4:          # a part of a name or id, in another case
                qs.add(v[1:4].upper())
qs.update(["a", "Ltd", "zz-no-such-customer", "00000000-0000-4000-8000-000000000000"])
# Each question costs two evaluations (about a second on this machine, most of it compiling the
# views): every tenant id, and an even spread of the rest, at most 30 questions per database.
tenants = {t for (t,) in con.execute("SELECT tenant_id FROM identity UNION SELECT tenant_id FROM subscription")}
rest = sorted(q for q in qs if q not in tenants and "\n" not in q)
step = max(1, len(rest) // max(1, 30 - len(tenants)))
for q in sorted(tenants) + rest[::step]:
    print(q)
PY
	while IFS= read -r q; do
		rc1=0 rc2=0
		"$PALSCOPE" why "$q" --db "$db" --period "$period" >"$T/s.out" 2>"$T/s.err" || rc1=$?
		PALSCOPE_WHY_FULL=1 "$PALSCOPE" why "$q" --db "$db" --period "$period" >"$T/f.out" 2>"$T/f.err" || rc2=$?
		[ "$rc1" = "$rc2" ] || fail "why '$q' ($db): exit $rc1 scoped, $rc2 whole period"
		cmp -s "$T/s.out" "$T/f.out" || { diff "$T/f.out" "$T/s.out" | head -20 >&2; fail "why '$q' ($db): stdout differs"; }
		cmp -s "$T/s.err" "$T/f.err" || { diff "$T/f.err" "$T/s.err" | head -20 >&2; fail "why '$q' ($db): stderr differs"; }
		[ -s "$T/s.out" ] || [ "$rc1" -ne 0 ] || fail "why '$q': exit 0 and nothing said"
		n=$((n + 1))
	done <"$T/questions"
	[ "$n" -ge 15 ] || fail "only $n questions for $db"
	ok "why scoped = whole period for $n questions on $(basename "$db") $period"
}

# The rule fixture, as test_rules.c loads it: a migrated database, then the rows.
db=$T/rules.db
: >"$db"
chmod 600 "$db"
"$PALSCOPE" report summary --db "$db" --period 2026-10 >/dev/null 2>&1 || true   # create and migrate
sqlite3 "$db" <"$SRCDIR/tests/fixtures/report/rules.sql" || fail "load rules.sql"
period=$(sqlite3 "$db" "SELECT period FROM run ORDER BY run_id DESC LIMIT 1")
"$PALSCOPE" report summary --db "$db" --period "$period" >/dev/null || fail "report summary on the rule fixture"
compare_all "$db" "$period"

# The demo partner, collected.
demo_env
start_server "$FAKE/scenarios/demo.json"
collect --db "$T/demo.db" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
compare_all "$T/demo.db" 2026-10
