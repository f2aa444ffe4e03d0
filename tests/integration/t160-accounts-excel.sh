#!/usr/bin/env bash
# The accounts file as Excel writes it (issue 9): a German/French Excel "CSV (semicolon)"
# save (BOM, ';', CRLF), header names as people and the portal/az write them, trailing
# all-separator rows, Windows-1252 text, and cells that must be refused without echo.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
T1=a0000001-0000-4000-8000-000000000000 C1=c1010001-1111-4000-8000-000000000000
T2=a0000002-0000-4000-8000-000000000000 C2=c1020001-1111-4000-8000-000000000000

# Excel "CSV (Trennzeichen-getrennt)": BOM, ';', CRLF, "Tenant ID"/"Client-ID", empty and ';;;' rows.
printf '\xef\xbb\xbfTenant ID;Client-ID;Secret_Env;Label\r\n%s;%s;PALSCOPE_DEMO_SECRET_01_1;Contoso\r\n;;;\r\n\r\n%s;%s;PALSCOPE_DEMO_SECRET_02_1;M\xfcller & S\xf6hne\r\n;;;\r\n' \
	"$T1" "$C1" "$T2" "$C2" >"$T/de.csv"
collect --db "$T/de.db" --accounts "$T/de.csv" --partner-id 1234567 --period 2026-10
expect_eq "semicolon excel file: exit" 0 "$RC"
expect_eq "identities" "$T1|$C1|Contoso
$T2|$C2|Müller & Söhne" "$(q "$T/de.db" "select tenant_id, client_id, label from identity order by rowid")"
grep -q "is not UTF-8: read as Windows-1252 from line 5" "$T/collect.err" || { cat "$T/collect.err"; fail "cp1252 note"; }
ok "Excel semicolon save with BOM, CRLF, trailing ;;; rows and Windows-1252 label"

# Names the portal and az print, TAB-separated.
printf 'tenantId\tappId\tsecret-env\tdisplayName\n%s\t%s\tPALSCOPE_DEMO_SECRET_01_1\tfrom az\n' "$T1" "$C1" >"$T/az.csv"
collect --db "$T/az.db" --accounts "$T/az.csv" --partner-id 1234567 --period 2026-10
expect_eq "az header names: exit" 0 "$RC"
expect_eq "az header names" "$T1|$C1|from az" "$(q "$T/az.db" "select tenant_id, client_id, label from identity")"
ok "tenantId/appId/displayName, TAB-separated"

refused() { # name regex file
	collect --db "$T/never.db" --accounts "$3" --partner-id 1234567 --period 2026-10
	expect_eq "$1: exit" 2 "$RC"
	head -1 "$T/collect.err" | grep -Eq -- "$2" || { cat "$T/collect.err"; fail "$1: message"; }
	[ ! -e "$T/never.db" ] || fail "$1: database created"
	ok "$1: $(head -1 "$T/collect.err")"
}
SECRET='Xy8Q~abcDEF.ghi-jkl_MNO123pqrSTU456vwx'
printf 'tenant_id,client_id,secret_env\n%s,%s,%s\n' "$T1" "$C1" "$SECRET" >"$T/pasted.csv"
refused "pasted secret" "pasted.csv:2: column 3 \('secret_env'\): secret_env must name an environment variable; the cell looks like a secret value and is not shown" "$T/pasted.csv"
! grep -qF "$SECRET" "$T/collect.err" || fail "the pasted secret was echoed"
printf 'tenant_id,client_id,secret_env,label\n%s,%s,PALSCOPE_DEMO_SECRET_01_1,ab\0cd\n' "$T1" "$C1" >"$T/nul.csv"
refused "NUL byte" "nul.csv:2: column 4 \('label'\): NUL byte in the cell" "$T/nul.csv"
printf 'tenant_id,client_id,secret_env,label\n%s,%s,PALSCOPE_DEMO_SECRET_01_1,\x81x\n' "$T1" "$C1" >"$T/enc.csv"
refused "undefined Windows-1252 byte" "enc.csv:2: column 4 \('label'\): not UTF-8 \(nor Windows-1252\): save the file as CSV UTF-8" "$T/enc.csv"
{ printf 'tenant_id,client_id,secret_env,label\n%s,%s,PALSCOPE_DEMO_SECRET_01_1,' "$T1" "$C1"; head -c 10000000 /dev/zero | tr '\0' x; printf '\n'; } >"$T/big.csv"
start=$(date +%s)
refused "10 MB label" "big.csv:2: column 4 \('label'\): longer than 256 bytes" "$T/big.csv"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "10 MB label took too long"
printf 'appId,displayName,password,tenant\n%s,x,%s,%s\n' "$C1" "$SECRET" "$T1" >"$T/rbac.csv"
refused "az ad sp create-for-rbac output" "rbac.csv:1: column 3 \('password'\) would hold secrets" "$T/rbac.csv"
! grep -qF "$SECRET" "$T/collect.err" || fail "the password was echoed"
