#!/usr/bin/env bash
# Issue 15: the run-end summary build is scoped to the run (its identity id range bound as
# constants, so the rule views seek the run's rows instead of scanning every run's), evaluates
# pair_access once for the three access summaries and subscription_status once per snapshot.
# The results must be the ones the build gave before: this test builds every run's summaries
# and status snapshots again with the previous scripts (tests/fixtures/summary/*.reference.sql,
# copied from sql/scripts/ before the change, run the way db/summary.c ran them, with the views
# "as of" each run like db/as_of.c) into a copy of each database and compares every summary and
# snapshot table, and the run counts, with what palscope built (SQL EXCEPT both ways), on:
# - the rule fixture (tests/fixtures/report/rules.sql: three runs of one period, Lighthouse,
#   groups, PIM, single-resource roles, failed reads), before and after a policy switch (the
#   rebuild of every run in one transaction: db_summaries_rebuild_tx);
# - the diff fixture (tests/fixtures/diff/diff.sql: two periods) and the policy fixture;
# - the demo partner collected from the fake Azure endpoint (the collector's run-end build).
. "$(dirname "$0")/lib.sh"

compare() { # compare DB LABEL: rebuild with the reference scripts in a copy, compare tables
	# the status snapshots are built the first time a command reads them, never at a run's end
	# (nor by a policy change's rebuild): none yet, then report trend builds them
	local built
	built=$(sqlite3 "$1" "SELECT count(*) FROM snapshot_built")
	[ "$built" = 0 ] || fail "$2: $built runs' status snapshots were built before anything read them"
	"$PALSCOPE" report trend --db "$1" >/dev/null || fail "$2: report trend (builds the snapshots)"
	"$PYTHON" - "$1" "$T/ref.db" "$SRCDIR" "$2" <<'PY' || fail "summaries of $2 differ from the reference build"
import glob, os, shutil, sqlite3, sys
db, ref, src, label = sys.argv[1:5]
shutil.copyfile(db, ref)
c = sqlite3.connect(ref, isolation_level=None)
c.execute("PRAGMA foreign_keys = ON")

def script(name, params):
    buf = ""
    for line in open(os.path.join(src, "tests/fixtures/summary", name)):
        buf += line
        if sqlite3.complete_statement(buf):
            c.execute(buf, {k: v for k, v in params.items() if ":" + k in buf})
            buf = ""

tables = ["pair_summary", "pair_rg_summary", "pair_resource_summary", "pair_pim_summary",
          "cost_summary", "cost_total_summary", "subscription_snapshot", "customer_snapshot",
          "identity_snapshot"]
c.execute("BEGIN")
for t in tables:
    c.execute("DELETE FROM " + t)
runs = [r for (r,) in c.execute("SELECT run_id FROM run r WHERE EXISTS "
                                "(SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id) ORDER BY run_id")]
assert runs, label + ": no run with summaries"
for r in runs:
    script("summary_build.reference.sql", {"run_id": r})
for r in runs:  # each run's snapshot, as of that run (db/as_of.c)
    c.execute("CREATE TEMP VIEW run_in_effect AS SELECT r.* FROM main.run_in_effect r WHERE r.period = "
              "(SELECT period FROM main.run WHERE run_id = %d) AND r.run_id <= %d" % (r, r))
    for f in sorted(glob.glob(os.path.join(src, "sql/views/*.sql"))):
        if not f.endswith("05_run_in_effect.sql"):
            text = open(f).read()
            c.execute("CREATE TEMP VIEW " + text[text.index("CREATE VIEW ") + len("CREATE VIEW "):])
    script("snapshot_build.reference.sql", {"run_id": r})
    for (v,) in c.execute("SELECT name FROM temp.sqlite_schema WHERE type = 'view'").fetchall():
        c.execute('DROP VIEW temp."%s"' % v)
c.execute("COMMIT")
c.execute("ATTACH ? AS built", (db,))
bad = 0
for t in tables + ["run"]:
    n = c.execute("SELECT count(*) FROM main.%s" % t).fetchone()[0]
    a = c.execute("SELECT count(*) FROM (SELECT * FROM built.%s EXCEPT SELECT * FROM main.%s)" % (t, t)).fetchone()[0]
    b = c.execute("SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM built.%s)" % (t, t)).fetchone()[0]
    if a or b:
        print("%s: %s: %d rows only in palscope's build, %d only in the reference's" % (label, t, a, b), file=sys.stderr)
        bad += 1
    print("%s %s %d" % (label, t, n))
sys.exit(1 if bad else 0)
PY
}

load() { # load DB FIXTURE [SQL]: a migrated database, the fixture's rows (and SQL), made ready
	: >"$1"
	chmod 600 "$1"
	"$PALSCOPE" report summary --db "$1" >/dev/null 2>&1 || true   # create and migrate
	sqlite3 "$1" <"$2" || fail "load $2"
	[ -z "${3:-}" ] || sqlite3 "$1" "$3" || fail "extra rows for $2"
	"$PALSCOPE" rules --db "$1" >/dev/null || fail "open $2 for writing (builds the summaries)"
}

: >"$T/counts"
# covered_rgs lists a pair's eligible resource groups in the order their grants were stored:
# three Contributor assignments stored out of name order on the last subscription seen.
rgs="INSERT INTO role_assignment (run_id, identity_id, subscription_id, assignment_id, scope,
	role_guid, role_definition_id, principal_type, created_on, resource_group, scope_level)
SELECT s.run_id, s.identity_id, s.subscription_id,
       '/subscriptions/' || s.subscription_id || '/resourceGroups/' || g.rg ||
	       '/providers/Microsoft.Authorization/roleAssignments/t680-' || g.rg,
       '/subscriptions/' || s.subscription_id || '/resourceGroups/' || g.rg,
       'b24988ac-6180-42a0-ab88-20f7382dd24c',
       '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
       'ServicePrincipal', '2026-01-01T00:00:00Z', g.rg, 'resource_group'
FROM (SELECT * FROM subscription ORDER BY rowid DESC LIMIT 1) s,
     (SELECT 'rg-z' AS rg, 1 AS n UNION ALL SELECT 'rg-a', 2 UNION ALL SELECT 'rg-m', 3) g
ORDER BY g.n;"
load "$T/rules.db" "$SRCDIR/tests/fixtures/report/rules.sql" "$rgs"
expect_eq "covered_rgs in stored order" "rg-z,rg-a,rg-m" \
	"$(sqlite3 "$T/rules.db" "SELECT covered_rgs FROM pair_summary WHERE covered_rgs LIKE '%rg-z%'")"
compare "$T/rules.db" rules >>"$T/counts"
ok "rule fixture: summaries and snapshots of its three runs equal the reference build"
"$PALSCOPE" rules set read_only_roles count --db "$T/rules.db" >/dev/null || fail "rules set"
compare "$T/rules.db" rules-count >>"$T/counts"
ok "rule fixture after rules set read_only_roles count (every run rebuilt): equal"

load "$T/diff.db" "$SRCDIR/tests/fixtures/diff/diff.sql"
compare "$T/diff.db" diff >>"$T/counts"
load "$T/policy.db" "$SRCDIR/tests/fixtures/report/policy.sql"
compare "$T/policy.db" policy >>"$T/counts"
ok "diff and policy fixtures: equal"

demo_env
start_server "$FAKE/scenarios/demo.json"
collect --db "$T/demo.db" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
# exit 1: a partial run (one demo identity's secret is wrong on purpose)
[ "$RC" -le 1 ] && [ -s "$T/demo.db" ] || { cat "$T/collect.err" >&2; fail "demo collect exit $RC"; }
compare "$T/demo.db" demo >>"$T/counts"
ok "demo collect (the collector's run-end build): equal"

# The comparison is only worth something where the tables have rows: every summary and
# snapshot table is non-empty in at least one of the databases above.
for t in pair_summary pair_rg_summary pair_resource_summary pair_pim_summary cost_summary \
	cost_total_summary subscription_snapshot customer_snapshot identity_snapshot; do
	n=$(awk -v t="$t" '$2 == t { s += $3 } END { print s + 0 }' "$T/counts")
	[ "$n" -gt 0 ] || { cat "$T/counts" >&2; fail "$t is empty in every database: nothing compared"; }
done
ok "every summary and snapshot table had rows to compare"

# The build reads the run's rows through its identity id range: with a second run in the
# database, building the first run's summaries touches no row of the other run (the plan of the
# access step seeks role_assignment's primary key; the previous script scanned the table).
plan=$(sqlite3 "$T/rules.db" ".parameter set :run_id 1" ".parameter set :id_lo 1" ".parameter set :id_hi 2" \
	"EXPLAIN QUERY PLAN SELECT * FROM pair_access WHERE run_id = :run_id AND identity_id BETWEEN :id_lo AND :id_hi")
grep -q 'SEARCH ra USING .*INDEX sqlite_autoindex_role_assignment_1 (identity_id>? AND identity_id<?)' <<<"$plan" ||
	{ echo "$plan" >&2; fail "pair_access is not read through the identity range"; }
if grep -q 'SCAN ra$' <<<"$plan"; then fail "pair_access scans role_assignment"; fi
ok "the access step seeks the run's role assignments by identity range"

# The make-ready step ties migration, views and summaries together (db/ready.c); db.c itself
# knows nothing of the summaries (issue 14/16): it neither includes db/summary.h nor calls it.
! grep -q '#include "db/summary.h"' "$SRCDIR/db/db.c" || fail "db/db.c includes db/summary.h"
! grep -q 'db_summaries_' "$SRCDIR/db/db.c" || fail "db/db.c calls the summary build"
! grep -q '#include "db/ready' "$SRCDIR/db/summary.c" || fail "db/summary.c includes the make-ready step"
grep -q 'db_summaries_update' "$SRCDIR/db/ready.c" || fail "db/ready.c does not build the summaries"
ok "db.c and summary.c do not include each other; db/ready.c is the one make-ready step"
