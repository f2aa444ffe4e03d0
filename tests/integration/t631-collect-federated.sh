#!/usr/bin/env bash
# auth federated end to end (workload identity federation, as AKS and GitHub Actions run): the
# federated_token_file's contents are the client assertion, read again for every token request.
# The fake plays the platform (credentials.py: it writes a fresh issuer token into the file at
# start and after each exchange, and refuses a rotated one) and Entra (issuer, subject, audience,
# signature against the issuer's certificate, time). One run asks two tokens (ARM, then Graph for
# Contoso's group checks) with a rotation in between; a second run reads the file as it is then;
# a copy of a rotated-away token is refused per identity (AADSTS700024); a federated credential
# for another subject is refused (AADSTS700213). AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID +
# AZURE_TENANT_ID without an accounts file, as azure-identity's WorkloadIdentityCredential.
# The assertions never reach the database, reports, stderr at -vv or the fake's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
make_cert issuer
ISS=https://token.actions.githubusercontent.com
cred_scenario "$T/s.json" '
for cid, sub, f in [("'$CONTOSO_CID'", "repo:contoso/billing:ref:refs/heads/main", "contoso.jwt"),
                    ("'$MUELLER_CID'", "system:serviceaccount:palscope:collector", "mueller.jwt"),
                    ("'$LITWARE_CID'", "repo:litware/other:ref:refs/heads/main", "litware.jwt")]:
    p(cid)["federatedCredentials"] = [{"issuer": "'$ISS'", "subject": sub,
        "audiences": ["api://AzureADTokenExchange"], "issuerCertificate": pem("issuer"),
        "issuerKeyFile": T + "/issuer-key.pem", "tokenFile": T + "/" + f}]
# Litware trusts another subject than the one its platform token names
p("'$LITWARE_CID'")["federatedCredentials"][0]["subject"] = "repo:litware/billing:ref:refs/heads/main"
p("'$LITWARE_CID'")["federatedCredentials"][0]["tokenFile"] = T + "/litware-unused.jwt"
'
start_server "$T/s.json"
[ -s "$T/contoso.jwt" ] && [ -s "$T/mueller.jwt" ] || fail "the fake wrote the projected tokens"
# Litware's token: signed by the issuer, but for a subject its credential does not trust.
"$PYTHON" "$FAKE/jwtutil.py" mint --key "$T/issuer-key.pem" --iss "$ISS" \
	--sub "repo:litware/other:ref:refs/heads/main" >"$T/litware.jwt"
cp "$T/contoso.jwt" "$T/contoso-first.jwt"
cp "$T/mueller.jwt" "$T/mueller-first.jwt"
{
	echo "tenant_id,auth,client_id,federated_token_file,label"
	echo "$CONTOSO,federated,$CONTOSO_CID,$T/contoso.jwt,Contoso (GitHub Actions)"
	echo "$MUELLER,,$MUELLER_CID,$T/mueller.jwt,Mueller (AKS; inferred)"
	echo "$LITWARE,federated,$LITWARE_CID,$T/litware.jwt,Litware (wrong subject)"
} >"$T/fed.csv"
collect_vv --db "$T/f.db" --accounts "$T/fed.csv" --partner-id 1234567 --period 2026-10
expect_eq "federated run exit (Litware fails)" 1 "$RC"
expect_eq "identities" "Contoso (GitHub Actions)|federated|ok
Mueller (AKS; inferred)|federated|ok
Litware (wrong subject)|federated|failed" \
	"$(q "$T/f.db" "select label, auth_kind, status from identity order by identity_id")"
err=$(q "$T/f.db" "select error from identity where tenant_id = '$LITWARE'")
case "$err" in *AADSTS700213*"subject"*) ;; *) fail "wrong subject error: $err" ;; esac
# Contoso asked two tokens (ARM, Graph), both accepted: the file was read again after rotating.
expect_eq "Contoso's token requests" "200|200" "$("$PYTHON" -c '
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
print("|".join(str(e["status"]) for e in log if e.get("path") == "/%s/oauth2/v2.0/token" % sys.argv[2]))' "$T/requests.jsonl" "$CONTOSO")"
expect_eq "Contoso's groups were checked with the second (Graph) token" "1|0" \
	"$(q "$T/f.db" "select count(*) > 0, count(error_code) from group_check")"
cmp -s "$T/contoso.jwt" "$T/contoso-first.jwt" && fail "the platform rotated Contoso's token"
customers_status "$T/f.db" "$T/f.status"
grep -q "|UNKNOWN|COLLECTION_FAILED$" "$T/f.status" || fail "Litware's customers are COLLECTION_FAILED"
[ "$(grep -vc COLLECTION_FAILED "$T/f.status")" -ge 2 ] || fail "Contoso's and Mueller's customers are evaluated"
ok "auth federated: the file is read for each token request (ARM, then Graph after a rotation); a wrong subject fails that identity (AADSTS700213)"

# A second run reads the files as they are now.
collect --db "$T/f.db" --accounts "$T/fed.csv" --partner-id 1234567 --period 2026-10
expect_eq "second run: Contoso and Mueller ok" "ok|ok|failed" \
	"$(q "$T/f.db" "select status from identity where run_id = 2 order by identity_id" | paste -sd'|')"
ok "a second run takes the rotated tokens"

# A copy of a token the platform has replaced is refused, per identity.
{
	echo "tenant_id,client_id,federated_token_file"
	echo "$CONTOSO,$CONTOSO_CID,$T/contoso-first.jwt"
	echo "$MUELLER,$MUELLER_CID,$T/mueller.jwt"
} >"$T/stale.csv"
collect --db "$T/stale.db" --accounts "$T/stale.csv" --partner-id 1234567 --period 2026-10
expect_eq "stale token: exit" 1 "$RC"
expect_eq "stale token: statuses" "failed|ok" "$(q "$T/stale.db" "select status from identity order by identity_id" | paste -sd'|')"
err=$(q "$T/stale.db" "select error from identity where tenant_id = '$CONTOSO'")
case "$err" in *AADSTS700024*) ;; *) fail "stale token error: $err" ;; esac
ok "a rotated-away token is refused (AADSTS700024) for that identity only"

# Unreadable or empty file at sign-in: that identity's failure, with the path.
: >"$T/empty.jwt"
printf '%s\n' "tenant_id,client_id,federated_token_file" "$CONTOSO,$CONTOSO_CID,$T/empty.jwt" >"$T/empty.csv"
collect --db "$T/empty.db" --accounts "$T/empty.csv" --partner-id 1234567 --period 2026-10
expect_eq "empty token file: exit" 1 "$RC"
expect_eq "empty token file: error" "federated_token_file '$T/empty.jwt' is empty" \
	"$(q "$T/empty.db" "select error from identity")"
printf '%s\n' "tenant_id,client_id,federated_token_file" "$CONTOSO,$CONTOSO_CID,$T/none.jwt" >"$T/none.csv"
collect --db "$T/none.db" --accounts "$T/none.csv" --partner-id 1234567 --period 2026-10
expect_eq "missing token file: exit" 2 "$RC"
grep -qF "none.csv:2: column 3 ('federated_token_file'): federated_token_file '$T/none.jwt': No such file or directory" \
	"$T/collect.err" || { cat "$T/collect.err"; fail "missing token file message"; }
ok "an empty token file fails the identity; a missing one is an error naming file:line:column"

# The environment, as WorkloadIdentityCredential (AKS sets these three).
(
	unset AZURE_CLIENT_SECRET AZURE_CLIENT_CERTIFICATE_PATH
	export AZURE_TENANT_ID=$MUELLER AZURE_CLIENT_ID=$MUELLER_CID AZURE_FEDERATED_TOKEN_FILE=$T/mueller.jwt
	collect --db "$T/env.db" --partner-id 1234567 --period 2026-10
	expect_eq "AZURE_FEDERATED_TOKEN_FILE: exit" 0 "$RC"
	expect_eq "AZURE_FEDERATED_TOKEN_FILE: identity" "federated|ok" "$(q "$T/env.db" "select auth_kind, status from identity")"
)
ok "AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID without an accounts file"

# Leaks: no assertion (first, rotated or current) anywhere.
"$PALSCOPE" report customers --db "$T/f.db" --out "$T/report.csv"
sqlite3 "$T/f.db" .dump >"$T/dump.sql"
stop_server
for f in contoso-first mueller-first contoso mueller litware; do
	sig=$(cut -d. -f3 <"$T/$f.jwt")
	[ -n "$sig" ] || fail "$f has a signature"
	not_anywhere "$sig" "the $f assertion" "$T/f.db" "$T/dump.sql" "$T/report.csv" "$T/collect.err" \
		"$T/collect.out" "$T/requests.jsonl" "$T/stale.db" "$T/env.db"
done
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/requests.jsonl"; then fail "an assertion reached the fake's log"; fi
ok "federated assertions are in no database, dump, report, stderr (-vv) or log"
