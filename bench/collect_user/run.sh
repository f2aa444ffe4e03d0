#!/bin/sh
# collect --user benchmark (issue 11): one user, a guest in 500 tenants, 50 ms latency per
# response, --concurrency 32. Prints figures; it is not a pass/fail test.
#   bench/collect_user/run.sh [--tenants N]
# Uses build-bench/palscope (built here if missing; override with PALSCOPE=...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${PALSCOPE:-$root/build-bench/palscope}
if [ -z "${PALSCOPE:-}" ] && [ ! -x "$palscope" ]; then
	cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$root/build-bench" -j2 --target palscope >/dev/null
fi
echo "palscope: $palscope"
echo "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
exec timeout 600 python3 "$here/bench.py" --palscope "$palscope" "$@"
