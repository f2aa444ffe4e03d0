#!/bin/sh
# Collect benchmark (issue 2, "Performance"): 500 tenants x 3 subscriptions,
# 50 ms latency per response, collect --concurrency 32; then 100 tenants to
# compare peak RSS.  Prints figures; it is not a pass/fail test.
#
#   bench/collect/run.sh [bench.py options]   e.g. --tenants 500 100 --log --keep
#
# Uses build-bench/palscope (built here if missing; override with PALSCOPE=...).
# Everything runs on 127.0.0.1 and in a temporary directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${PALSCOPE:-$root/build-bench/palscope}
if [ -z "${PALSCOPE:-}" ] && [ ! -x "$palscope" ]; then
	cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$root/build-bench" -j2 --target palscope >/dev/null
fi
echo "palscope: $palscope"
echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
exec timeout 900 python3 "$here/bench.py" --palscope "$palscope" --tenants 500 100 "$@"
