# Helpers for the workload credential tests (certificate, federated, managed identity, az),
# sourced after lib.sh and lib_user.sh. The scenario is a copy of demo.json whose principals get
# certificates, federated credentials or a managed identity (tests/fake_azure/credentials.py).
CONTOSO=a0000001-0000-4000-8000-000000000000 CONTOSO_CID=c1010001-1111-4000-8000-000000000000
MUELLER=a0000002-0000-4000-8000-000000000000 MUELLER_CID=c1020001-1111-4000-8000-000000000000
NORTHWIND=a0000004-0000-4000-8000-000000000000 NORTHWIND_CID=c1040001-1111-4000-8000-000000000000
LITWARE=a0000008-0000-4000-8000-000000000000 LITWARE_CID=c1080001-1111-4000-8000-000000000000
command -v openssl >/dev/null || fail "openssl is needed"

# make_cert NAME: a self-signed RSA certificate: $T/NAME-key.pem, $T/NAME-cert.pem and
# $T/NAME.pem (the private key, then the certificate: what `az ad sp create-for-rbac
# --create-cert` writes).
make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=palscope-$1" \
		-keyout "$T/$1-key.pem" -out "$T/$1-cert.pem" 2>/dev/null
	cat "$T/$1-key.pem" "$T/$1-cert.pem" >"$T/$1.pem"
}

# key_lines NAME: three base64 lines from the middle of NAME's private key (for leak checks).
key_lines() { sed -n '5p;10p;15p' "$T/$1-key.pem"; }

# cred_scenario OUT PYTHON-STATEMENTS: demo.json changed by the statements; p(CLIENT_ID) is
# that principal, pem(NAME) the text of $T/NAME-cert.pem.
cred_scenario() {
	"$PYTHON" - "$FAKE/scenarios/demo.json" "$1" "$2" "$T" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
T = sys.argv[4]
def p(cid):
    return next(x for x in s["principals"] if x.get("clientId") == cid)
def pem(name):
    return open("%s/%s-cert.pem" % (T, name)).read()
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"))
PY
}

# customers_status DB OUT: tenant_id|status|reason_code per customer of the report, sorted.
customers_status() {
	"$PALSCOPE" report customers --db "$1" --out "$T/customers-$$.csv" || fail "report customers"
	"$PYTHON" - "$T/customers-$$.csv" >"$2" <<'PY'
import csv, sys
for r in sorted(csv.DictReader(open(sys.argv[1], newline="")), key=lambda r: r["tenant_id"]):
    print("|".join([r["tenant_id"], r["status"], r["reason_code"]]))
PY
}

# collect_vv ARGS...: palscope -v -v collect against the fake (stderr at the most verbose, for
# leak checks); status in $RC, output in $T/collect.out and $T/collect.err.
collect_vv() {
	set +e
	"$PALSCOPE" -v -v collect --arm-url "$URL" --login-url "$URL" "$@" >"$T/collect.out" 2>"$T/collect.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/collect.err"
}

# bad_accounts WHAT EXPECTED LINE...: an accounts file of these lines is refused: exit 2, the
# one-line error containing EXPECTED, no database.
bad_accounts() {
	local what=$1 want=$2
	shift 2
	printf '%s\n' "$@" >"$T/bad.csv"
	rm -f "$T/bad.db"
	collect --db "$T/bad.db" --accounts "$T/bad.csv" --partner-id 1234567 --period 2026-10
	expect_eq "$what: exit" 2 "$RC"
	grep -qF -- "$want" "$T/collect.err" || { cat "$T/collect.err"; fail "$what: expected '$want'"; }
	expect_eq "$what: one line" 1 "$(wc -l <"$T/collect.err")"
	[ -e "$T/bad.db" ] && fail "$what: no database on bad input"
	return 0
}
