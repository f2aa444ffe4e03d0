#!/usr/bin/env bash
# A token_command child gets an environment without the other identities' secret_env variables,
# and without AZURE_CLIENT_SECRET unless that is its own secret_env. Each token command below
# prints its whole environment to a file, then asks the fake for a token (as `az account
# get-access-token` would); the files are checked variable by variable.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
CONTOSO=a0000001-0000-4000-8000-000000000000
MUELLER=a0000002-0000-4000-8000-000000000000
NORTHWIND=a0000004-0000-4000-8000-000000000000
LITWARE=a0000008-0000-4000-8000-000000000000
# token.sh TENANT CLIENT_ID SECRET_VAR ENV_FILE: dump the environment, then get an ARM token.
cat >"$T/token.sh" <<'SH'
#!/bin/sh
env >"$4"
secret=$(eval "printf %s \"\${$3}\"")
exec curl -sS -d "client_id=$2&client_secret=$secret&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&grant_type=client_credentials" \
  "$URL/$1/oauth2/v2.0/token" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
SH
chmod +x "$T/token.sh"
export URL PYTHON
export AZURE_CLIENT_SECRET=$PALSCOPE_DEMO_SECRET_04_1   # Northwind's, named as its own below
export PALSCOPE_UNRELATED=kept
{
	echo "tenant_id,client_id,secret_env,token_command,label"
	echo "$CONTOSO,c1010001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_01_1,,Contoso"
	echo "$MUELLER,c1020001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_02_1,,Mueller"
	echo "$LITWARE,,,$T/token.sh $LITWARE c1080001-1111-4000-8000-000000000000 PALSCOPE_DEMO_SECRET_08_1 $T/env-litware,Litware via token command"
	echo "$NORTHWIND,,AZURE_CLIENT_SECRET,$T/token.sh $NORTHWIND c1040001-1111-4000-8000-000000000000 AZURE_CLIENT_SECRET $T/env-northwind,Northwind via token command"
} >"$T/acc.csv"
collect --db "$T/e.db" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect exit" 0 "$RC"
expect_eq "identities" "ok|secret ok|secret ok|token_command ok|token_command" \
	"$(q "$T/e.db" "select status, auth_kind from identity order by identity_id" | tr '\n' ' ' | sed 's/ $//')"

has() { grep -q "^$2=" "$T/env-$1"; }
for who in litware northwind; do
	[ -s "$T/env-$who" ] || fail "$who: the token command did not run"
	for v in PALSCOPE_DEMO_SECRET_01_1 PALSCOPE_DEMO_SECRET_02_1; do
		! has "$who" "$v" || fail "$who's token command sees $v (another identity's secret_env)"
	done
	has "$who" PALSCOPE_UNRELATED || fail "$who: an unrelated variable was dropped"
	has "$who" PATH || fail "$who: PATH was dropped"
	# not named by any identity of this file: left as it is
	has "$who" PALSCOPE_DEMO_SECRET_08_1 || fail "$who: PALSCOPE_DEMO_SECRET_08_1 (no identity's secret_env) dropped"
done
! has litware AZURE_CLIENT_SECRET || fail "Litware's token command sees AZURE_CLIENT_SECRET (not its own)"
grep -qx "AZURE_CLIENT_SECRET=$PALSCOPE_DEMO_SECRET_04_1" "$T/env-northwind" ||
	fail "Northwind's token command lost its own AZURE_CLIENT_SECRET"
ok "token commands run without the other identities' secrets; AZURE_CLIENT_SECRET only where it is its own"
