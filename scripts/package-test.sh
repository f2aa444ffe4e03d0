#!/usr/bin/env bash
# Build the Debian package from the Release build (build/), install it with apt, run the
# installed palscope (--version, man page, the demo against the fake Azure endpoint), then
# remove the package and check that it left nothing behind. Needs root (CI runs it).
# Usage: bash scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (apt-get install of the .deb)" >&2; exit 1; }
[ -x build/palscope ] || { echo "package-test: run scripts/test.sh first (no build/palscope)" >&2; exit 1; }
rm -f build/palscope_*.deb
(cd build && cpack -G DEB >/dev/null)
deb=$(ls build/palscope_*.deb)
echo "== $deb"
dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Depends):'
export DEBIAN_FRONTEND=noninteractive
dpkg -r palscope >/dev/null 2>&1 || true
apt-get install -y -qq "./$deb" >/dev/null
files=$(dpkg -L palscope | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ "$(command -v palscope)" = /usr/bin/palscope ] || { echo "package-test: palscope not on PATH at /usr/bin" >&2; exit 1; }
palscope --version
if grep -qs '^path-exclude=*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
	echo "== man pages not checked from the package: this machine's dpkg excludes /usr/share/man (tests/integration/t730 checks them)"
else
man -w palscope-why | grep -q '^/usr/share/man/man1/palscope-why.1' || { echo "package-test: man palscope-why not found" >&2; exit 1; }
MANWIDTH=80 man palscope-why 2>&1 | grep -q 'palscope-why - explain' || { echo "package-test: man palscope-why does not render" >&2; exit 1; }
fi
[ -f /usr/share/bash-completion/completions/palscope ] && [ -f /usr/share/zsh/vendor-completions/_palscope ] ||
	{ echo "package-test: completions not installed" >&2; exit 1; }
out=$(mktemp -d)
PALSCOPE_BIN=/usr/bin/palscope bash scripts/demo.sh "$out" >"$out/demo.log" 2>&1 || { cat "$out/demo.log" >&2; exit 1; }
grep -q '^"tenant_id"\|^tenant_id' "$out/customers.csv" || { echo "package-test: demo wrote no customers report" >&2; exit 1; }
echo "== demo with the installed binary: $(($(wc -l <"$out/customers.csv") - 1)) customers"
rm -rf "$out"
apt-get remove -y -qq palscope >/dev/null
dpkg-query -W -f='${Status}' palscope 2>/dev/null | grep -q 'install ok installed' && { echo "package-test: still installed" >&2; exit 1; }
for f in $files; do [ ! -e "$f" ] || { echo "package-test: $f left after removal" >&2; exit 1; }; done
echo "== removed cleanly ($(echo "$files" | wc -l) files)"
