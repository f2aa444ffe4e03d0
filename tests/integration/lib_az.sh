# The fake Azure CLI of the az tests (issue 11), sourced after lib.sh and lib_user.sh.
#
# fake_az RT: an `az` on PATH ($T/bin) standing in for the real one, signed in as the owner of
# refresh token RT (its MSAL cache $T/az-home/msal: home tenant and refresh token, bound to the
# az client id, not to a tenant). It supports only `az account get-access-token [--tenant T]
# --resource R --output json` and redeems RT at {login}/{tenant}/oauth2/v2.0/token for each call,
# as az's MSAL does. Its JSON is Azure CLI 2.54+'s (accessToken, expiresOn, expires_on,
# subscription, tenant, tokenType; MicrosoftDocs/azure-docs-cli
# docs-ref-conceptual/includes/refresh-token.md, as in t633). On an identity platform error it
# prints what az prints, exit status 1: "ERROR: " and the error_description (AADSTS50076: ...),
# then "Interactive authentication is needed. Please run:\naz login --scope {resource}/.default"
# (Azure/azure-cli src/azure-cli-core/azure/cli/core/auth/util.py: aad_error_handler,
# _generate_login_command; knack prints AuthenticationError as "ERROR: msg" and the
# recommendation after it). Each call's arguments are appended to $T/az-argv, and the names of
# the environment variables it was given to $T/az-env (one line of names per call).
fake_az() {
	local RT=$1
mkdir -p "$T/bin" "$T/az-home"
# az's own sign-in (its MSAL token cache): the home tenant and the refresh token.
printf '%s %s\n' "$HOME_T" "$RT" >"$T/az-home/msal"
chmod 600 "$T/az-home/msal"
cat >"$T/bin/az" <<'SH'
#!/bin/sh
# A fake Azure CLI: only `az account get-access-token [--tenant T] --resource R --output json`.
printf '%s\n' "$*" >>"$AZ_T/az-argv"
env | sed 's/=.*//' | sort | tr '\n' ' ' >>"$AZ_T/az-env"; echo >>"$AZ_T/az-env"
[ "$1 $2" = "account get-access-token" ] || { echo "ERROR: fake az: unexpected: $*" >&2; exit 2; }
shift 2
tenant= resource=
while [ $# -gt 0 ]; do
	case $1 in
	--tenant) tenant=$2; shift 2 ;;
	--resource) resource=$2; shift 2 ;;
	--output) shift 2 ;;
	*) echo "ERROR: fake az: unexpected argument $1" >&2; exit 2 ;;
	esac
done
exec "$AZ_PYTHON" - "$AZ_URL" "$AZ_T/az-home/msal" "$tenant" "$resource" <<'PY'
import datetime, json, sys, urllib.error, urllib.parse, urllib.request
url, cache, tenant, resource = sys.argv[1:5]
home, rt = open(cache).read().split()
tenant = tenant or home
form = urllib.parse.urlencode({"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "grant_type": "refresh_token",
                               "refresh_token": rt, "scope": resource + "/.default offline_access"}).encode()
try:
    t = json.load(urllib.request.urlopen("%s/%s/oauth2/v2.0/token" % (url, tenant), form))
except urllib.error.HTTPError as e:
    err = json.load(e)
    print("ERROR: " + err.get("error_description", ""), file=sys.stderr)
    print("Interactive authentication is needed. Please run:\naz login --scope %s/.default" % resource, file=sys.stderr)
    sys.exit(1)
exp = int(datetime.datetime.now().timestamp()) + int(t["expires_in"])
print(json.dumps({"accessToken": t["access_token"],
                  "expiresOn": datetime.datetime.fromtimestamp(exp).strftime("%Y-%m-%d %H:%M:%S.%f"),
                  "expires_on": exp, "subscription": "5f000000-0000-4000-8000-000000000000",
                  "tenant": tenant, "tokenType": "Bearer"}, indent=2))
PY
SH
chmod +x "$T/bin/az"
export PATH="$T/bin:$PATH" AZ_T=$T AZ_URL=$URL AZ_PYTHON=$PYTHON
}
