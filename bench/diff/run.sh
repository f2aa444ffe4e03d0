#!/usr/bin/env bash
# Diff benchmark: the report bench database (bench/report/gen.sql: 10,000 tenants, 50,000
# subscriptions, 500,000 role assignments) grown to 12 monthly runs, 2025-11 .. 2026-10
# (bench/diff/grow.sql: each run a copy of the first with links, roles, cost, states changed).
# Prints wall time and peak RSS of `palscope diff` (customers and subscriptions, the newest
# run against the one before) next to `sqlite3 -csv` running the same SELECT over the same
# views, and the cost of the status snapshots at the end of a full-size run.
# Usage: bash bench/diff/run.sh [build/palscope] [bench12.db]   (REPEAT=3 runs per command)
# The database is kept (and reused) next to this script; it is about 6 GB (building it took
# 14 min on the 2-core machine under load: the summaries and snapshots of 12 runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
db=${2:-$here/bench12.db}
measure=$root/bench/report/measure.py
if [ ! -s "$db" ] || [ "$(sqlite3 "$db" 'select count(*) from run' 2>/dev/null)" != 12 ]; then
	rm -f "$db"
	(umask 077 && : >"$db")
	# create and migrate (db version reads a file as it is; a report fails on no run, after it)
	"$palscope" report summary --db "$db" >/dev/null 2>&1 || true
	# run 1: the report bench's run, for period 2025-11 (its dates one period earlier)
	sed -e 's/2026-10-31/2025-11-30/g' -e 's/2026-10/2025-11/g' -e 's/2026-11/2025-12/g' \
	    -e 's/2026-01-01T00:00:00Z/2025-01-01T00:00:00Z/g' "$root/bench/report/gen.sql" |
		sqlite3 "$db" >/dev/null
	t=$(python3 "$measure" /dev/null "$palscope" report summary --db "$db")
	echo "run 1 (full size) summaries and status snapshot built: ${t%% *} s, peak RSS $(echo "$t" | cut -d' ' -f2) MB"
	for k in $(seq 1 11); do
		sqlite3 "$db" ".parameter set :k $k" ".read $here/grow.sql" >/dev/null
	done
	t=$(python3 "$measure" /dev/null "$palscope" report summary --db "$db")
	echo "runs 2-12 (reduced cost rows) summaries and snapshots built: ${t%% *} s, peak RSS $(echo "$t" | cut -d' ' -f2) MB"
fi
"$palscope" report summary --db "$db" >/dev/null      # rebuild the views if needed, warm the cache

# The same SELECT in sqlite3: a TEMP diff_pair of the two runs palscope compares, and TEMP copies
# of the change views over it (what reports/diff.c does), then sql/reports/diff_<kind>.sql.
pair=$("$palscope" -v diff --db "$db" --out /dev/null 2>&1 | sed -n 's/.*comparing run \([0-9]*\) .* with run \([0-9]*\) .*/\1 \2/p')
from=${pair% *} to=${pair#* }
[ -n "$from" ] && [ -n "$to" ] || { echo "cannot tell the runs diff compares" >&2; exit 1; }
for kind in customers subscriptions; do
	{
		echo "CREATE TEMP VIEW diff_pair AS SELECT $from AS from_run, (SELECT period FROM run WHERE run_id = $from) AS from_period, $to AS to_run, (SELECT period FROM run WHERE run_id = $to) AS to_period;"
		for f in "$root"/sql/views/7[1-9]_*.sql; do sed 's/^CREATE VIEW /CREATE TEMP VIEW /' "$f"; done
		echo ".headers on"
		echo ".read $root/sql/reports/diff_$kind.sql"
	} >"/tmp/bench-diff-$kind.sqlite3"
done
repeat=${REPEAT:-3}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
echo "diff run $from ($(sqlite3 "$db" "select period from run where run_id = $from")) -> run $to ($(sqlite3 "$db" "select period from run where run_id = $to"))"
cpu() { echo "$1" | awk '{ printf "%.2f", $4 + $5 }'; } # user + sys of a measure.py line
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); CPU = user + sys (GNU time)"
printf '%-14s %10s %8s %8s %12s %8s %8s %8s   %s\n' diff palscope_s cpu_s rss_MB sqlite3_s cpu_s rss_MB rows "all runs (palscope | sqlite3)"
for kind in customers subscriptions; do
	ps=() ss=()
	for ((i = 0; i < repeat; i++)); do
		ps+=("$(python3 "$measure" /tmp/bench-diff-$kind.csv "$palscope" diff --db "$db" --$kind)")
		ss+=("$(python3 "$measure" /tmp/bench-diff-$kind-sqlite.csv sqlite3 -csv "$db" ".read /tmp/bench-diff-$kind.sqlite3")")
	done
	p=$(printf '%s\n' "${ps[@]}" | median) s=$(printf '%s\n' "${ss[@]}" | median)
	rows=$(($(wc -l <"/tmp/bench-diff-$kind.csv") - 1))
	printf '%-14s %10s %8s %8s %12s %8s %8s %8s   %s | %s\n' "$kind" "${p%% *}" "$(cpu "$p")" \
		"$(echo "$p" | cut -d' ' -f2)" "${s%% *}" "$(cpu "$s")" "$(echo "$s" | cut -d' ' -f2)" "$rows" \
		"$(printf '%s ' "${ps[@]%% *}")" "$(printf '%s ' "${ss[@]%% *}")"
done
# The price of the snapshots: summaries and snapshot of the full-size run 1, as at its end.
sqlite3 "$db" "DELETE FROM run_summary WHERE run_id = 1"
t=$(python3 "$measure" /dev/null "$palscope" report summary --db "$db" --period 2025-11)
echo "run end of the full-size run (summaries + status snapshot): ${t%% *} s, CPU $(cpu "$t") s, peak RSS $(echo "$t" | cut -d' ' -f2) MB"
