#!/usr/bin/env bash
# Trend benchmark: `palscope report trend` on the report bench database grown to 12 monthly runs
# (bench/diff/run.sh builds it: bench/report/gen.sql + bench/diff/grow.sql, 10,000 tenants and
# 50,000 subscriptions per run, with the summaries and status snapshots of the 12 runs), next to
# `sqlite3 -csv` running the same SELECT (sql/reports/trend.sql). Prints wall time and peak RSS.
# Usage: bash bench/trend/run.sh [build/palscope] [bench12.db]   (REPEAT=3 runs per command)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
db=${2:-$root/bench/diff/bench12.db}
measure=$root/bench/report/measure.py
if [ ! -s "$db" ] || [ "$(sqlite3 "$db" 'select count(*) from run' 2>/dev/null)" != 12 ]; then
	REPEAT=1 bash "$root/bench/diff/run.sh" "$palscope" "$db"     # builds the 12-run database
fi
"$palscope" report summary --db "$db" >/dev/null      # rebuild the views if needed, warm the cache
repeat=${REPEAT:-3}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
ps=() ss=()
for ((i = 0; i < repeat; i++)); do
	ps+=("$(python3 "$measure" /tmp/bench-trend.csv "$palscope" report trend --db "$db")")
	ss+=("$(python3 "$measure" /tmp/bench-trend-sqlite.csv sqlite3 -csv "$db" \
		".parameter set :from NULL" ".parameter set :to NULL" ".read $root/sql/reports/trend.sql")")
done
p=$(printf '%s\n' "${ps[@]}" | median) s=$(printf '%s\n' "${ss[@]}" | median)
cpu() { echo "$1" | awk '{ printf "%.2f", $4 + $5 }'; } # user + sys of a measure.py line
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); CPU = user + sys (GNU time)"
printf '%-8s %10s %8s %8s %12s %8s %8s %6s   %s\n' report palscope_s cpu_s rss_MB sqlite3_s cpu_s rss_MB rows "all runs (palscope | sqlite3)"
printf '%-8s %10s %8s %8s %12s %8s %8s %6s   %s | %s\n' trend "${p%% *}" "$(cpu "$p")" "$(echo "$p" | cut -d' ' -f2)" \
	"${s%% *}" "$(cpu "$s")" "$(echo "$s" | cut -d' ' -f2)" "$(($(wc -l </tmp/bench-trend.csv) - 1))" \
	"$(printf '%s ' "${ps[@]%% *}")" "$(printf '%s ' "${ss[@]%% *}")"
