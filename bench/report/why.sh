#!/usr/bin/env bash
# why benchmark (the scale issue): palscope why on the report bench database (bench/report/run.sh
# builds bench.db: 10,000 tenants, 50,000 subscriptions) for one tenant id, one subscription id,
# a name matching one customer and a name matching many (20 shown), each REPEAT times (median),
# next to the same question with PALSCOPE_WHY_FULL=1 (the whole period evaluated, as before the
# scoped evaluation), and checks that both answers are byte-identical.
# Usage: bash bench/report/why.sh [build/palscope] [bench.db]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
db=${2:-$here/bench.db}
[ -s "$db" ] || { echo "no $db: run bash bench/report/run.sh first" >&2; exit 1; }
repeat=${REPEAT:-3}
period=$(sqlite3 "$db" "SELECT period FROM run ORDER BY run_id DESC LIMIT 1")
tenant=$(sqlite3 "$db" "SELECT tenant_id FROM identity WHERE status = 'ok' ORDER BY identity_id LIMIT 1 OFFSET 6")
sub=$(sqlite3 "$db" "SELECT subscription_id FROM subscription WHERE tenant_id = '$tenant' LIMIT 1")
name=$(sqlite3 "$db" "SELECT display_name FROM tenant WHERE tenant_id = '$tenant'")
"$palscope" report summary --db "$db" >/dev/null      # views and summaries ready, cache warm
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-34s %10s %8s %12s %9s  %s\n' question scoped_s rss_MB whole_s customers same
for q in "$tenant" "$sub" "$name" "Customer 12"; do
	s=() w=()
	for ((i = 0; i < repeat; i++)); do
		s+=("$(python3 "$here/measure.py" /tmp/why-bench-s.txt "$palscope" why "$q" --db "$db" --period "$period")")
	done
	w+=("$(PALSCOPE_WHY_FULL=1 python3 "$here/measure.py" /tmp/why-bench-w.txt "$palscope" why "$q" --db "$db" --period "$period")")
	same=$(cmp -s /tmp/why-bench-s.txt /tmp/why-bench-w.txt && echo yes || echo NO)
	n=$(grep -c '^Customer ' /tmp/why-bench-s.txt || true)
	m=$(printf '%s\n' "${s[@]}" | median)
	printf '%-34s %10s %8s %12s %9s  %s\n' "$q" "${m%% *}" "$(echo "$m" | cut -d' ' -f2)" "${w[0]%% *}" "$n" "$same"
done
