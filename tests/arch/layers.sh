#!/usr/bin/env bash
# The library layers, checked on the built static libraries with nm: a library
# below the HTTP engine references no libcurl symbol and nothing the collector
# library defines (so import/, arm/ and the fuzzers link without libcurl).
# usage: layers.sh COLLECTOR_LIB LIB...
set -euo pipefail
collector=$1
shift
defined=$(nm --defined-only -g "$collector" | awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' | sort -u)
[ -n "$defined" ] || { echo "layers: no symbols defined in $collector" >&2; exit 1; }
status=0
for lib in "$@"; do
	undef=$(nm -u "$lib" | awk '{ print $NF }' | sort -u)
	bad=$(printf '%s\n' "$undef" | grep -E '^curl_' || true)
	bad+=$(comm -12 <(printf '%s\n' "$undef") <(printf '%s\n' "$defined") | sed 's/^/ /' || true)
	if [ -n "$bad" ]; then
		echo "layers: $(basename "$lib") needs the HTTP engine:" $bad >&2
		status=1
	else
		echo "layers: $(basename "$lib") ok"
	fi
done
exit $status
