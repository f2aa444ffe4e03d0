#!/usr/bin/env python3
"""Self-test for the fake Azure server (standard library only).

Starts server.py on the demo scenario plus a few extra fault rules, then talks
to it with urllib / http.client exactly like palscope would: token, subscription
list with nextLink paging, role assignments, role definitions, Lighthouse,
links (GET/PUT/PATCH/DELETE), cost query with paging, every fault action, and
32+ concurrent keep-alive clients.  Exits non-zero on the first failure.

Usage: python3 selftest.py [-v]
"""

import http.client
import json
import os
import socket
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = "-v" in sys.argv

T_CONTOSO = "a0000001-0000-4000-8000-000000000000"
T_LITWARE = "a0000008-0000-4000-8000-000000000000"
T_PARTNER = "a0000000-0000-4000-8000-000000000000"
T_NORTHWIND = "a0000004-0000-4000-8000-000000000000"
SP_CONTOSO = ("c1010001-1111-4000-8000-000000000000", "demo-secret-contoso", "0b010001-0000-4000-8000-000000000000")
SP_LITWARE = ("c1080001-1111-4000-8000-000000000000", "demo-secret-litware", "0b080001-0000-4000-8000-000000000000")
SP_PARTNER = ("c1000001-1111-4000-8000-000000000000", "demo-secret-fabrikam-lighthouse",
              "0b000001-0000-4000-8000-000000000000")
SP_NORTHWIND = ("c1040001-1111-4000-8000-000000000000", "demo-secret-northwind",
                "0b040001-0000-4000-8000-000000000000")
SP_ADVENTURE = ("c1050001-1111-4000-8000-000000000000", "demo-secret-adventureworks",
                "0b050001-0000-4000-8000-000000000000")
T_ADVENTURE = "a0000005-0000-4000-8000-000000000000"
SUB_DATA = "50100004-0000-4000-8000-000000000000"
SUB_LITWARE_WEB = "50800004-0000-4000-8000-000000000000"
SUB_WOODGROVE = "50900001-0000-4000-8000-000000000000"

COST_BODY = {"type": "ActualCost", "timeframe": "Custom",
             "timePeriod": {"from": "2026-10-01T00:00:00Z", "to": "2026-10-31T23:59:59Z"},
             "dataset": {"granularity": "Daily",
                         "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
                         "grouping": [{"type": "Dimension", "name": "ResourceGroupName"}]}}

EXTRA_FAULTS = [
    # First GET /subscriptions by Litware -> 429 with Retry-After, then normal.
    {"method": "GET", "path_regex": "^/subscriptions$", "tenant": T_LITWARE, "times": 1,
     "action": {"status": 429, "headers": {"Retry-After": "2"}}},
    # Second Northwind GET /tenants -> expired token.
    {"method": "GET", "path_regex": "^/tenants$", "tenant": T_NORTHWIND, "skip": 1,
     "action": {"expire_token": True}},
    {"method": "GET", "path_regex": "/roleDefinitions/", "tenant": T_NORTHWIND,
     "action": {"malformed_json": True}},
    {"method": "GET", "path_regex": "/registrationAssignments$", "tenant": T_NORTHWIND,
     "action": {"foreign_next_link": True}},
    {"method": "GET", "path_regex": "^/providers/Microsoft.ManagementPartner/partners$", "tenant": T_NORTHWIND,
     "times": 1, "action": {"drop": True}},
    {"method": "GET", "path_regex": "^/providers/Microsoft.ManagementPartner/partners$", "tenant": T_NORTHWIND,
     "times": 1, "action": {"truncate": True}},
    {"method": "POST", "path_regex": "CostManagement/query$", "tenant": T_NORTHWIND, "times": 1,
     "action": {"status": 429, "headers": {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "3"}}},
    {"method": "POST", "path_regex": "/oauth2/v2.0/token$", "tenant": "adventureworks.onmicrosoft.com",
     "times": 2, "action": {"status": 503}},
]

failures = 0


def check(cond, what):
    global failures
    if cond:
        if VERBOSE:
            print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what)


class Client:
    def __init__(self, base):
        self.base = base

    def req(self, method, url, token=None, body=None, ctype=None, form=None):
        if not url.startswith("http"):
            url = self.base + url
        headers = {"Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = "Bearer " + token
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            headers["Content-Type"] = ctype or "application/json"
        r = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(r, timeout=10) as resp:
                raw = resp.read()
                return resp.status, dict(resp.headers), raw
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, *a, **k):
        st, hd, raw = self.req(*a, **k)
        try:
            return st, hd, json.loads(raw) if raw else None
        except ValueError:
            return st, hd, raw

    def token(self, tenant, cid, secret):
        st, hd, body = self.json("POST", "/%s/oauth2/v2.0/token" % tenant,
                                 form={"client_id": cid, "client_secret": secret, "grant_type": "client_credentials",
                                       "scope": "https://management.azure.com/.default"})
        return st, body


def raw_link_get_fails(port, token, errors):
    """GET the partner link on a connection of its own: True when reading the answer raises one of
    errors (the drop and truncate faults close the connection without a whole response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/providers/Microsoft.ManagementPartner/partners?api-version=2018-02-01",
                     headers={"Authorization": "Bearer " + token})
        conn.getresponse().read()
        return False
    except errors:
        return True
    finally:
        conn.close()


def main():
    with open(os.path.join(HERE, "scenarios", "demo.json"), encoding="utf-8") as f:
        sc = json.load(f)
    sc["faults"] = EXTRA_FAULTS
    tmp = tempfile.mkdtemp(prefix="fake_azure_selftest.")
    scen = os.path.join(tmp, "scenario.json")
    log = os.path.join(tmp, "requests.log")
    state = os.path.join(tmp, "state.json")
    with open(scen, "w", encoding="utf-8") as f:
        json.dump(sc, f)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--scenario", scen,
                             "--log", log, "--state", state], stdout=subprocess.PIPE)
    try:
        line = proc.stdout.readline().decode().strip()
        check(line.startswith("PORT "), "server prints PORT line (%r)" % line)
        port = int(line.split()[1])
        run(Client("http://127.0.0.1:%d" % port), port, log, state)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    check(proc.returncode == 0, "server exits cleanly on SIGTERM (rc=%s)" % proc.returncode)
    extra_checks(tmp)
    if failures:
        print("selftest: FAILED (%d failure(s)); logs in %s" % (failures, tmp))
        return 1
    shutil.rmtree(tmp)
    print("selftest: passed")
    return 0


def extra_checks(tmp):
    """gen_scenario.py output loads and serves; TLS mode works (if openssl exists)."""
    big = os.path.join(tmp, "big.json")
    acc = os.path.join(tmp, "accounts.csv")
    r = subprocess.run([sys.executable, os.path.join(HERE, "gen_scenario.py"), "--tenants", "20",
                        "--subs-per-tenant", "3", "--out", big, "--accounts-out", acc],
                       capture_output=True, text=True)
    check(r.returncode == 0, "gen_scenario.py runs")
    with open(acc, encoding="utf-8") as f:
        rows = [l.rstrip("\n").split(",") for l in f]
    check(rows[0] == ["tenant_id", "client_id", "secret_env", "label"] and len(rows) == 21, "accounts CSV")
    with open(os.path.join(tmp, "secrets.env"), encoding="utf-8") as f:
        secrets = dict(l[len("export "):].strip().split("=", 1) for l in f if l.startswith("export "))

    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    tls = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                          "-keyout", key, "-out", cert, "-days", "1"], capture_output=True).returncode == 0
    cmd = [sys.executable, os.path.join(HERE, "server.py"), "--scenario", big]
    if tls:
        cmd += ["--tls-cert", cert, "--tls-key", key]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline().split()[1])
        scheme = "https" if tls else "http"
        if tls:
            import ssl
            ctx = ssl.create_default_context(cafile=cert)
            opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))
            urllib.request.install_opener(opener)
        c = Client("%s://127.0.0.1:%d" % (scheme, port))
        tid, cid, env, _ = rows[5]
        st, tok = c.token(tid, cid, secrets[env])
        check(st == 200, "generated scenario: token (%s)" % scheme)
        st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token=tok["access_token"])
        check(st == 200 and len(b["value"]) == 3, "generated scenario: 3 subscriptions")
        sid = b["value"][0]["subscriptionId"]
        st, hd, b = c.json("POST", "/subscriptions/%s/providers/Microsoft.CostManagement/query?api-version=2023-11-01"
                           % sid, token=tok["access_token"], body=COST_BODY)
        check(st == 200 and len(b["properties"]["rows"]) == 62, "generated scenario: 62 cost rows")
    finally:
        proc.terminate()
        proc.wait(5)


def run(c, port, log, state):
    base = "http://127.0.0.1:%d" % port

    # --- token endpoint ---------------------------------------------------------
    st, tok = c.token(T_CONTOSO, *SP_CONTOSO[:2])
    check(st == 200 and tok["token_type"] == "Bearer" and tok["expires_in"] == 3599
          and tok["ext_expires_in"] == 3599, "token success shape")
    access = tok["access_token"]
    import base64
    payload = json.loads(base64.urlsafe_b64decode(access.split(".")[1] + "=="))
    check(payload["tid"] == T_CONTOSO and payload["oid"] == SP_CONTOSO[2] and payload["ver"] == "1.0"
          and payload["iss"] == "https://sts.windows.net/%s/" % T_CONTOSO, "token claims")
    st, bad = c.token(T_CONTOSO, SP_CONTOSO[0], "wrong")
    check(st == 401 and bad["error"] == "invalid_client" and bad["error_codes"] == [7000215]
          and bad["error_description"].startswith("AADSTS7000215:"), "bad secret -> 401 invalid_client")
    st, bad = c.token("b0000000-0000-4000-8000-000000000000", *SP_CONTOSO[:2])
    check(st == 400 and bad["error_codes"] == [90002], "unknown tenant -> AADSTS90002")
    st, tok2 = c.token("contoso.onmicrosoft.com", *SP_CONTOSO[:2])
    check(st == 200, "token by tenant domain")

    # --- ARM auth ----------------------------------------------------------------
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01")
    check(st == 401 and b["error"]["code"] == "InvalidAuthenticationToken" and "x-ms-request-id" in hd,
          "missing token -> 401 InvalidAuthenticationToken + x-ms-request-id")
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token="garbage")
    check(st == 401 and b["error"]["code"] == "InvalidAuthenticationToken", "garbage token -> 401")
    st, hd, b = c.json("GET", "/subscriptions?api-version=2021-01-01", token=access)
    check(st == 400 and b["error"]["code"] == "InvalidApiVersionParameter", "wrong api-version -> 400")

    # --- subscriptions + nextLink --------------------------------------------------
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token=access)
    check(st == 200 and len(b["value"]) == 2 and b["nextLink"].startswith(base + "/subscriptions?"),
          "subscriptions page 1 with absolute nextLink")
    s0 = b["value"][0]
    check(set(s0) == {"id", "subscriptionId", "tenantId", "displayName", "state", "subscriptionPolicies",
                      "authorizationSource", "managedByTenants"} and s0["id"] == "/subscriptions/" + s0["subscriptionId"]
          and set(s0["subscriptionPolicies"]) == {"locationPlacementId", "quotaId", "spendingLimit"},
          "subscription shape")
    st, hd, b2 = c.json("GET", b["nextLink"], token=access)
    check(st == 200 and len(b2["value"]) == 2 and "nextLink" not in b2, "subscriptions page 2 (last)")
    names = [s["displayName"] for s in b["value"] + b2["value"]]
    check(names == ["Contoso Production", "Contoso Dev/Test", "Contoso Sandbox (Visual Studio)",
                    "Contoso Data Platform"], "visible subscriptions (MG, nested group, RG scope): %s" % names)

    # --- role assignments + definitions ---------------------------------------------
    url = ("/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments?$filter=%s&api-version=2022-04-01"
           % (SUB_DATA, urllib.parse.quote("assignedTo('%s')" % SP_CONTOSO[2])))
    st, hd, b = c.json("GET", url, token=access)
    check(st == 200 and len(b["value"]) == 1, "role assignments (RG scope returned by sub list)")
    ra = b["value"][0]
    check(ra["type"] == "Microsoft.Authorization/roleAssignments"
          and ra["id"].startswith("/subscriptions/%s/resourceGroups/rg-staging/providers/" % SUB_DATA)
          and ra["properties"]["roleDefinitionId"].startswith("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/" % SUB_DATA),
          "role assignment shape")
    st, hd, b = c.json("GET", ra["properties"]["roleDefinitionId"] + "?api-version=2022-04-01", token=access)
    check(st == 200 and b["properties"]["roleName"] == "Contributor" and b["type"] == "Microsoft.Authorization/roleDefinitions"
          and b["properties"]["permissions"][0]["actions"] == ["*"], "role definition GET (subscription form)")
    st, hd, b = c.json("GET", "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
                       "?api-version=2022-04-01", token=access)
    check(st == 200 and b["id"] == "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
          "role definition GET (tenant form)")
    st, hd, b = c.json("GET", "/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000"
                       "?api-version=2022-04-01", token=access)
    check(st == 404 and b["error"]["code"] == "RoleDefinitionDoesNotExist", "unknown role definition -> 404")
    st, hd, b = c.json("GET", "/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
                       % SUB_LITWARE_WEB, token=access)
    check(st == 403 and b["error"]["code"] == "AuthorizationFailed", "foreign subscription -> 403 AuthorizationFailed")
    # group + MG: Dev/Test via nested group at MG scope, paging with page size 2
    url = ("/subscriptions/50100001-0000-4000-8000-000000000000/providers/Microsoft.Authorization/roleAssignments"
           "?$filter=assignedTo('%s')&api-version=2022-04-01" % SP_CONTOSO[2])
    st, hd, b = c.json("GET", url, token=access)
    check(st == 200 and len(b["value"]) == 1 and b["value"][0]["properties"]["scope"]
          == "/providers/Microsoft.Management/managementGroups/mg-contoso-prod", "MG-scoped assignment")

    # --- links ---------------------------------------------------------------------
    st, hd, b = c.json("GET", "/providers/Microsoft.ManagementPartner/partners?api-version=2018-02-01", token=access)
    check(st == 200 and b["properties"]["partnerId"] == "1234567" and b["type"] == "Microsoft.ManagementPartner/partners"
          and isinstance(b["etag"], int), "partner GET current")
    st, adv = c.token(T_ADVENTURE, *SP_ADVENTURE[:2])
    check(st == 503, "token fault 503 (1)")
    st, adv = c.token(T_ADVENTURE, *SP_ADVENTURE[:2])
    st, adv = c.token(T_ADVENTURE, *SP_ADVENTURE[:2])
    check(st == 200, "token after two 503 faults")
    at = adv["access_token"]
    pp = "/providers/Microsoft.ManagementPartner/partners"
    st, hd, b = c.json("GET", pp + "?api-version=2018-02-01", token=at)
    check(st == 404 and b["error"]["code"] == "NotFound", "not linked -> 404 NotFound")
    st, hd, b = c.json("PUT", pp + "/9999999?api-version=2018-02-01", token=at)
    check(st == 400 and "don't have a record" in b["error"]["message"], "PUT unknown partner -> 400")
    st, hd, b = c.json("PATCH", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 404, "PATCH when not linked -> 404")
    st, hd, b = c.json("PUT", pp + "/1234568?api-version=2018-02-01", token=at)
    check(st == 200 and b["properties"]["partnerId"] == "1234568" and b["name"] == "1234568", "PUT creates link")
    st, hd, b = c.json("PUT", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 409 and b["error"]["code"] == "Conflict", "PUT when linked -> 409")
    st, hd, b = c.json("GET", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 404, "GET other id -> 404")
    st, hd, b = c.json("PATCH", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 200 and b["properties"]["partnerId"] == "1234567" and b["properties"]["version"] == 2, "PATCH updates")
    with open(state, encoding="utf-8") as f:
        check(json.load(f)["links"][SP_ADVENTURE[2]]["partnerId"] == "1234567", "state file persisted")
    st, hd, raw = c.req("DELETE", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 200 and raw == b"", "DELETE -> 200 empty")
    st, hd, raw = c.req("DELETE", pp + "/1234567?api-version=2018-02-01", token=at)
    check(st == 404, "DELETE again -> 404")

    # --- tenants / lighthouse (partner SP) ------------------------------------------------
    st, ptok = c.token(T_PARTNER, *SP_PARTNER[:2])
    pt = ptok["access_token"]
    st, hd, b = c.json("GET", "/tenants?api-version=2022-12-01", token=pt)
    cats = sorted((t["displayName"], t["tenantCategory"]) for t in b["value"])
    check(st == 200 and cats == [("Fabrikam Cloud Partners", "Home"), ("Woodgrove Bank", "ManagedBy")],
          "tenants for managing tenant: %s" % cats)
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token=pt)
    ids = sorted(s["subscriptionId"] for s in b["value"])
    check(st == 200 and ids == [SUB_WOODGROVE, "50900002-0000-4000-8000-000000000000"]
          and b["value"][0]["managedByTenants"] == [{"tenantId": T_PARTNER}],
          "Lighthouse-delegated subscriptions (eligible-only one hidden)")
    st, hd, b = c.json("GET", "/subscriptions/%s/providers/Microsoft.ManagedServices/registrationAssignments"
                       "?$expandRegistrationDefinition=true&api-version=2022-10-01" % SUB_WOODGROVE, token=pt)
    ok = st == 200 and len(b["value"]) == 1
    if ok:
        ra = b["value"][0]
        rd = ra["properties"]["registrationDefinition"]
        ok = (ra["type"] == "Microsoft.ManagedServices/registrationAssignments"
              and rd["properties"]["authorizations"][0]["roleDefinitionId"] == "b24988ac-6180-42a0-ab88-20f7382dd24c"
              and rd["properties"]["managedByTenantId"] == T_PARTNER and "createdAt" in rd["systemData"]
              and rd["properties"]["eligibleAuthorizations"][0]["justInTimeAccessPolicy"]["maximumActivationDuration"] == "PT8H")
    check(ok, "registrationAssignments shape")

    # --- cost query with paging ----------------------------------------------------------
    st, ltok = c.token(T_LITWARE, *SP_LITWARE[:2])
    lt = ltok["access_token"]
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token=lt)
    check(st == 429 and hd.get("Retry-After") == "2", "fault: 429 with Retry-After")
    st, hd, b = c.json("GET", "/subscriptions?api-version=2022-12-01", token=lt)
    check(st == 200, "after 429 fault -> 200")
    cq = "/subscriptions/%s/providers/Microsoft.CostManagement/query?api-version=2023-11-01" % SUB_LITWARE_WEB
    st, hd, raw = c.req("POST", cq, token=lt, body=COST_BODY, ctype="text/plain")
    check(st == 415, "cost query wrong content type -> 415")
    rows, url, pages = [], cq, 0
    while url:
        st, hd, b = c.json("POST", url, token=lt, body=COST_BODY)
        if st != 200:
            check(False, "cost page status %s" % st)
            break
        pages += 1
        if pages == 1:
            check([x["name"] for x in b["properties"]["columns"]] == ["totalCost", "ResourceGroupName", "UsageDate", "Currency"]
                  and b["type"] == "microsoft.costmanagement/Query", "cost columns/type")
        rows += b["properties"]["rows"]
        url = b["properties"]["nextLink"]
        if url:
            check(url.startswith(base) and "$skiptoken=" in url, "cost nextLink absolute with $skiptoken")
    check(pages == 3 and len(rows) == 62 and rows[0][2] == 20261001 and rows[-1][2] == 20261031,
          "cost rows paged: pages=%d rows=%d" % (pages, len(rows)))
    total = round(sum(r[0] for r in rows), 2)
    check(total == 31 * 50.0, "cost total %s" % total)
    st, hd, raw = c.req("POST", "/subscriptions/50800002-0000-4000-8000-000000000000/providers/Microsoft.CostManagement/"
                        "query?api-version=2023-11-01", token=lt, body=COST_BODY)
    b = json.loads(raw)
    check(st == 400 and b["error"]["code"] == "400" and "Cost Management supports only" in b["error"]["message"],
          "cost unsupported -> 400 code '400'")

    # --- remaining faults (Northwind) -------------------------------------------------------
    st, ntok = c.token(T_NORTHWIND, *SP_NORTHWIND[:2])
    nt = ntok["access_token"]
    st, hd, b = c.json("GET", "/tenants?api-version=2022-12-01", token=nt)
    check(st == 200, "tenants (skip=1 lets the first through)")
    st, hd, b = c.json("GET", "/tenants?api-version=2022-12-01", token=nt)
    check(st == 401 and b["error"]["code"] == "ExpiredAuthenticationToken"
          and "is earlier than current UTC time" in b["error"]["message"], "fault: expire_token")
    st, hd, raw = c.req("GET", "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
                        "?api-version=2022-04-01", token=nt)
    try:
        json.loads(raw)
        parsed = True
    except ValueError:
        parsed = False
    check(st == 200 and not parsed, "fault: malformed_json")
    st, hd, b = c.json("GET", "/subscriptions/50400001-0000-4000-8000-000000000000/providers/Microsoft.ManagedServices/"
                       "registrationAssignments?api-version=2022-10-01", token=nt)
    check(st == 200 and b["nextLink"].startswith("http://evil.example.invalid/"), "fault: foreign_next_link")
    # drop: connection closed without a response
    check(raw_link_get_fails(port, nt, (http.client.RemoteDisconnected, ConnectionError,
                                        http.client.BadStatusLine)), "fault: drop")
    check(raw_link_get_fails(port, nt, (http.client.IncompleteRead,)), "fault: truncate")
    st, hd, b = c.json("POST", "/subscriptions/50400001-0000-4000-8000-000000000000/providers/Microsoft.CostManagement/"
                       "query?api-version=2023-11-01", token=nt, body=COST_BODY)
    check(st == 429 and hd.get("x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after") == "3", "fault: cost QPU 429")
    st, hd, raw = c.req("POST", "/subscriptions/50400003-0000-4000-8000-000000000000/providers/Microsoft.CostManagement/"
                        "query?api-version=2023-11-01", token=nt, body=COST_BODY)
    check(st == 204 and raw == b"", "cost status none -> 204")
    st, hd, b = c.json("GET", "/subscriptions/x/unknown?api-version=1", token=nt)
    check(st == 599, "unknown request -> 599")

    # --- concurrency: 40 keep-alive clients x 10 requests -----------------------------------
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for _ in range(10):
                conn.request("GET", "/subscriptions?api-version=2022-12-01",
                             headers={"Authorization": "Bearer " + access})
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    errors.append(r.status)
        except Exception as e:  # noqa: BLE001 - report anything
            errors.append(repr(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(40)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, "40 concurrent keep-alive clients (%.2fs, errors=%s)" % (time.time() - t0, errors[:3]))

    # --- log ---------------------------------------------------------------------------------
    with open(log, encoding="utf-8") as f:
        recs = [json.loads(l) for l in f]
    tok_recs = [r for r in recs if r["path"].endswith("/oauth2/v2.0/token")]
    check(tok_recs and all("client_secret=<redacted>" in r["body"] and "demo-secret" not in r["body"]
                           for r in tok_recs), "log redacts client_secret")
    check(all({"method", "path", "query", "status", "tenant", "oid", "auth", "content_type", "body"} <= set(r)
              for r in recs), "log line fields")
    check(any(r["status"] == 599 for r in recs), "599 logged")


if __name__ == "__main__":
    sys.exit(main())
