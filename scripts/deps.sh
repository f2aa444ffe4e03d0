#!/usr/bin/env bash
# Install the Debian packages palscope needs to build and test, if missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev
      libcjson-dev libcsv-dev libcmocka-dev python3 openssl curl clang scdoc mandoc man-db zsh)
# chromium (headless) runs the browser tests (tests/browser/); CI requires it
# (PALSCOPE_REQUIRE_BROWSER), elsewhere the tests are only registered when it is installed.
if [ "$(id -u)" -eq 0 ] || [ -n "${CI:-}" ] || [ -n "${PALSCOPE_REQUIRE_BROWSER:-}" ]; then
	pkgs+=(chromium)
elif ! command -v chromium >/dev/null 2>&1; then
	echo "palscope: chromium not installed: the browser tests will not run (sudo apt-get install -y chromium)" >&2
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "palscope: missing packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
