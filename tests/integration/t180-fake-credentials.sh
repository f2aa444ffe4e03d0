#!/usr/bin/env bash
# The fake Azure's checks of workload credentials, before palscope relies on
# them: a certificate client assertion signed with the registered key is taken
# once; a wrong audience, an expired one, a reused jti and an unregistered
# certificate get the AADSTS errors; managed identity needs its header; the
# assertion never reaches the request log.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=palscope-ci -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other -keyout "$T/other-key.pem" -out "$T/other.pem" 2>/dev/null
TEN=a0000001-0000-4000-8000-000000000000 CID=c1010001-1111-4000-8000-000000000000
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/s.json" "$T/cert.pem" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for p in s["principals"]:
    if p.get("clientId") == "c1010001-1111-4000-8000-000000000000":
        p["certificates"] = [open(sys.argv[3]).read()]
        p["managedIdentity"] = "system"
s["managed_identity"] = {"identity_header": "app-service-header"}
json.dump(s, open(sys.argv[2], "w"))
PY
start_server "$T/s.json"

# post KEYFILE CERTFILE AUD EXP_IN [JTI]: prints "HTTP-status AADSTS-code"
post() {
	"$PYTHON" - "$FAKE" "$URL" "$TEN" "$CID" "$@" <<'PY'
import json, subprocess, sys, time, urllib.error, urllib.parse, urllib.request, uuid
sys.path.insert(0, sys.argv[1])
import jwtutil
url, ten, cid, key, cert, aud, exp_in = sys.argv[2:9]
jti = sys.argv[9] if len(sys.argv) > 9 else str(uuid.uuid4())
now = int(time.time())
x5t = jwtutil.thumbprints(open(cert).read())[0]
a = jwtutil.sign_rs256(key, {"alg": "RS256", "typ": "JWT", "x5t": x5t},
                       {"aud": aud.replace("URL", url), "iss": cid, "sub": cid, "jti": jti,
                        "nbf": now - 700 if int(exp_in) < 0 else now, "exp": now + int(exp_in)})
form = urllib.parse.urlencode({"client_id": cid, "scope": "https://management.azure.com/.default",
    "grant_type": "client_credentials", "client_assertion": a,
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}).encode()
try:
    r = urllib.request.urlopen(url + "/" + ten + "/oauth2/v2.0/token", form)
    print(r.status, "-" if "access_token" in json.load(r) else "no-token")
except urllib.error.HTTPError as e:
    print(e.code, json.load(e)["error_codes"][0])
PY
}
EP="URL/$TEN/oauth2/v2.0/token"
expect_eq "registered certificate" "200 -" "$(post "$T/key.pem" "$T/cert.pem" "$EP" 600 jti-1)"
expect_eq "reused jti" "401 50027" "$(post "$T/key.pem" "$T/cert.pem" "$EP" 600 jti-1)"
expect_eq "wrong audience" "401 50012" "$(post "$T/key.pem" "$T/cert.pem" "https://login.microsoftonline.com/$TEN/oauth2/v2.0/token" 600)"
expect_eq "expired" "401 700024" "$(post "$T/key.pem" "$T/cert.pem" "$EP" -400)"
expect_eq "unregistered certificate" "401 700027" "$(post "$T/other-key.pem" "$T/other.pem" "$EP" 600)"
expect_eq "signed with another key" "401 700027" "$(post "$T/other-key.pem" "$T/cert.pem" "$EP" 600)"
ok "certificate assertions: accepted once, wrong aud / expired / reused jti / unknown key / bad signature refused"

imds() { curl -s -o "$T/mi.json" -w '%{http_code}' "$@"; }
expect_eq "IMDS without Metadata header" 400 "$(imds "$URL/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")"
expect_eq "IMDS" 200 "$(imds -H 'Metadata: true' "$URL/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")"
grep -q '"expires_in":"' "$T/mi.json" || fail "IMDS numbers are strings"
expect_eq "App Service wrong header" 401 "$(imds -H 'X-IDENTITY-HEADER: nope' "$URL/msi/token?api-version=2019-08-01&resource=https://management.azure.com/")"
expect_eq "App Service" 200 "$(imds -H 'X-IDENTITY-HEADER: app-service-header' "$URL/msi/token?api-version=2019-08-01&resource=https://management.azure.com/")"
expect_eq "unknown user-assigned identity" 400 "$(imds -H 'Metadata: true' "$URL/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/&client_id=$CID")"
ok "managed identity routes (IMDS, App Service)"

stop_server
grep -q 'client_assertion=<redacted>' "$T/requests.jsonl" || fail "assertions logged redacted"
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/requests.jsonl"; then fail "an assertion reached the fake's log"; fi
ok "assertions never reach the fake's log"
