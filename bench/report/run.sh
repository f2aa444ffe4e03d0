#!/usr/bin/env bash
# Report benchmark: builds bench.db (10,000 tenants, 50,000 subscriptions, 500,000 role
# assignments, ~5,000,000 daily cost rows) unless it exists, then prints wall time and peak RSS
# of `palscope report subscriptions|customers` next to `sqlite3 -csv` running the same SELECT.
# Usage: bash bench/report/run.sh [build/palscope] [bench.db]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
db=${2:-$here/bench.db}
if [ ! -s "$db" ]; then
	(umask 077 && : >"$db")
	# create and migrate (db version reads a file as it is; a report fails on no run, after it)
	"$palscope" report summary --db "$db" >/dev/null 2>&1 || true
	sqlite3 "$db" <"$here/gen.sql" >/dev/null
	# gen.sql inserts the run as plain rows; the first open for writing builds its summaries,
	# which collect and import do when a run ends: a one-time cost per run, not per report.
	t=$(python3 "$here/measure.py" /dev/null "$palscope" report summary --db "$db")
	echo "run summaries built once (as at the end of a collect): ${t%% *} s, peak RSS $(echo "$t" | cut -d' ' -f2) MB"
fi
"$palscope" report summary --db "$db" >/dev/null      # rebuild the views if needed, warm the cache
# Each command runs REPEAT times (default 3), alternating; the median wall time is printed with
# its peak RSS (the machine may be shared: one slow run does not decide).
repeat=${REPEAT:-3}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
cpu() { echo "$1" | awk '{ printf "%.2f", $4 + $5 }'; } # user + sys of a measure.py line
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); CPU = user + sys (GNU time)"
printf '%-14s %10s %8s %8s %12s %8s %8s   %s\n' report palscope_s cpu_s rss_MB sqlite3_s cpu_s rss_MB "all runs (palscope | sqlite3)"
for r in subscriptions customers; do
	ps=() ss=()
	for ((i = 0; i < repeat; i++)); do
		ps+=("$(python3 "$here/measure.py" /tmp/bench-$r.csv "$palscope" report "$r" --db "$db")")
		ss+=("$(python3 "$here/measure.py" /tmp/bench-$r-sqlite.csv sqlite3 -csv "$db" \
			".parameter set :period \"'2026-10'\"" ".read $root/sql/reports/$r.sql")")
	done
	p=$(printf '%s\n' "${ps[@]}" | median) s=$(printf '%s\n' "${ss[@]}" | median)
	printf '%-14s %10s %8s %8s %12s %8s %8s   %s | %s\n' "$r" "${p%% *}" "$(cpu "$p")" \
		"$(echo "$p" | cut -d' ' -f2)" "${s%% *}" "$(cpu "$s")" "$(echo "$s" | cut -d' ' -f2)" \
		"$(printf '%s ' "${ps[@]%% *}")" "$(printf '%s ' "${ss[@]%% *}")"
done
