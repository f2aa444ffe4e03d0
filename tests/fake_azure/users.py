"""Signed-in users for the fake Azure: the device code flow and refresh tokens.

What Microsoft's identity platform does for a person who signs in with a public
client (azure-identity's DeviceCodeCredential, az login):

* ``POST /{tenant}/oauth2/v2.0/devicecode`` (client_id, scope) answers
  device_code, user_code, verification_uri, expires_in, interval, message
  (source: MicrosoftDocs/azure-docs articles/active-directory/develop/
  v2-oauth2-device-code.md).  The test approves or declines the code through
  the test-only routes below, as the person would in a browser.
* ``POST /{tenant}/oauth2/v2.0/token`` with
  ``grant_type=urn:ietf:params:oauth:grant-type:device_code`` answers
  ``authorization_pending`` / ``slow_down`` / ``authorization_declined`` /
  ``expired_token`` / ``bad_verification_code`` (same document) until the
  code is approved, then an access token and (with offline_access) a
  refresh token.
* ``grant_type=refresh_token`` redeems a refresh token at any tenant the
  person is a member or guest of (a refresh token is bound to the user and
  client, not to a tenant); every answer carries a new refresh token.  The
  old one stays valid, as in Entra ID.
* Per-tenant failures come from the scenario's tenants (see README.md) with
  the AADSTS codes and texts of MicrosoftDocs/azure-docs
  articles/active-directory/develop/reference-error-codes.md; the error body
  is the shape of shared/azure-examples/identity/token-client-credentials-error.json.

A person is a User principal (the home account) plus the guest principals in
other tenants whose ``homePrincipal`` names it; each has its own object id.

Refresh tokens and device codes are opaque random strings, never logged.
"""

import json
import secrets
import threading
import time
import urllib.parse
import uuid

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# AADSTS code -> (OAuth error, text).  Texts follow reference-error-codes.md
# (placeholders filled in by aadsts_text).
AADSTS = {
    50076: ("invalid_grant", "Due to a configuration change made by your administrator, or because you "
            "moved to a new location, you must use multi-factor authentication to access '{resource}'."),
    50079: ("invalid_grant", "Due to a configuration change made by your administrator, or because you "
            "moved to a new location, you must enroll in multi-factor authentication to access "
            "'{resource}'."),
    50078: ("invalid_grant", "Presented multi-factor authentication has expired due to policies configured "
            "by your administrator, you must refresh your multi-factor authentication to access "
            "'{resource}'."),
    53003: ("invalid_grant", "Access has been blocked by Conditional Access policies. The access policy "
            "does not allow token issuance."),
    53000: ("invalid_grant", "Device is not in required device state: compliant. Conditional Access policy "
            "requires a compliant device, and the device is not compliant. The user must enroll their "
            "device with an approved MDM provider like Intune."),
    53001: ("invalid_grant", "Device is not in required device state: domain_joined. Conditional Access "
            "policy requires a domain joined device, and the device is not domain joined. Have the user "
            "use a domain joined device."),
    500212: ("invalid_grant", "NotAllowedByOutboundPolicyTenant - The user's administrator has set an "
             "outbound access policy that doesn't allow access to the resource tenant."),
    500213: ("invalid_grant", "NotAllowedByInboundPolicyTenant - The resource tenant's cross-tenant access "
             "policy doesn't allow this user to access this tenant."),
    50020: ("invalid_grant", "User account '{upn}' from identity provider 'https://sts.windows.net/{home}/' "
            "does not exist in tenant '{tenant_name}' and cannot access the application '{client}'"
            "(Microsoft Azure CLI) in that tenant. The account needs to be added as an external user in "
            "the tenant first. Sign out and sign in again with a different Azure Active Directory user "
            "account."),
    700082: ("invalid_grant", "The refresh token has expired due to inactivity. The token was issued on "
             "{issued} and was inactive for 90.00:00:00."),
    70043: ("invalid_grant", "The refresh token has expired or is invalid due to sign-in frequency checks "
            "by conditional access. The token was issued on {issued} and the maximum allowed lifetime for "
            "this request is 43200."),
    50173: ("invalid_grant", "The provided grant has expired due to it being revoked, a fresh auth token "
            "is needed. The user might have changed or reset their password. The grant was issued on "
            "'{issued}' and the TokensValidFrom date (before which tokens are not valid) for this user is "
            "'{now}'."),
    65001: ("invalid_grant", "The user or administrator has not consented to use the application with ID "
            "'{client}' named 'Microsoft Azure CLI'. Send an interactive authorization request for this "
            "user and resource."),
    500011: ("invalid_resource", "The resource principal named {resource} was not found in the tenant "
             "named {tenant_name}. This can happen if the application has not been installed by the "
             "administrator of the tenant or consented to by any user in the tenant. You might have sent "
             "your authentication request to the wrong tenant."),
    70000: ("invalid_grant", "Provided grant is invalid or malformed."),
    # a deleted or disabled user (scenario: signin_error on the person's principal in a tenant)
    50034: ("invalid_grant", "The user account {upn} does not exist in the {tenant_name} directory. To "
                             "sign into this application, the account must be added to the directory."),
    50057: ("invalid_grant", "The user account is disabled."),
    9002313: ("invalid_request", "Invalid request. Request is malformed or invalid."),
}


def stamp(epoch):
    return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(epoch))


class UserDirectory:
    """The people of the scenario, their device codes and refresh-token grants."""

    def __init__(self, model, scenario):
        self.model = model
        self.lock = threading.Lock()
        dc = scenario.get("device_code", {})
        self.interval = int(dc.get("interval", 5))
        self.expires_in = int(dc.get("expires_in", 900))
        self.slow_down_polls = int(dc.get("slow_down_polls", 0))
        self.codes = {}         # device_code -> state
        self.by_user_code = {}  # user_code -> device_code
        self.grants = {}        # refresh token -> grant (shared dict per sign-in)
        self.serial = 0
        # person (home oid) -> {tenant id: principal}
        self.person_tenants = {}
        for oid, p in model.principals.items():
            if p.get("kind") != "User":
                continue
            person = self.person_of(oid)
            self.person_tenants.setdefault(person, {})[p["tenantId"].lower()] = p

    # -- people ----------------------------------------------------------

    def person_of(self, oid):
        p = self.model.principals.get(oid.lower(), {})
        return (p.get("homePrincipal") or oid).lower()

    def home_principal(self, person):
        return self.model.principals[person]

    def tenants_of(self, oid):
        """Every tenant the user behind principal oid belongs to (home first)."""
        person = self.person_of(oid)
        home = self.home_principal(person)["tenantId"].lower()
        ts = list(self.person_tenants.get(person, {}))
        return [home] + sorted(t for t in ts if t != home)

    # -- errors ------------------------------------------------------------

    def aad_error(self, handler, code, status=400, **kw):
        error, text = AADSTS[code]
        now = time.time()
        fields = {"resource": "797f4846-ba00-4fd7-ba43-dac1f8f63013", "upn": "", "home": "",
                  "tenant_name": "", "client": "", "issued": stamp(now - 3600), "now": stamp(now)}
        fields.update(kw)
        resp = handler.aad_error(status, error, code, text.format(**fields))
        if code in (50076, 50079, 50078):
            resp.body["suberror"] = "basic_action"
        return resp

    @staticmethod
    def oauth_error(handler, error, text, code):
        return handler.aad_error(400, error, code, text)

    # -- the device code flow -------------------------------------------

    def handle_devicecode(self, handler, tenant_in):
        form = dict(urllib.parse.parse_qsl(handler.body.decode("utf-8", "replace"), keep_blank_values=True))
        cid = form.get("client_id", "")
        scope = form.get("scope", "")
        if not cid:
            return self.oauth_error(handler, "invalid_request",
                                    "The request body must contain the following parameter: 'client_id'.", 900144)
        if not any(s.endswith("/.default") for s in scope.split()):
            return self.oauth_error(handler, "invalid_scope",
                                    "The provided value for the input parameter 'scope' is not valid.", 70011)
        device_code = secrets.token_urlsafe(48)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
        with self.lock:
            self.codes[device_code] = {"user_code": user_code, "client_id": cid.lower(), "tenant_in": tenant_in,
                                       "scope": scope, "expires_at": time.time() + self.expires_in,
                                       "state": "pending", "user": None, "mfa": False, "polls": 0}
            self.by_user_code[user_code] = device_code
        uri = "https://microsoft.com/devicelogin"
        return handler.json_response(200, {
            "user_code": user_code, "device_code": device_code, "verification_uri": uri,
            "expires_in": self.expires_in, "interval": self.interval,
            "message": "To sign in, use a web browser to open the page %s and enter the code %s to "
                       "authenticate." % (uri, user_code)})

    def poll_device_code(self, handler, tid_in, form):
        code = form.get("device_code") or form.get("code") or ""
        with self.lock:
            st = self.codes.get(code)
            if st is None or st["client_id"] != form.get("client_id", "").lower():
                return self.oauth_error(handler, "bad_verification_code",
                                        "The provided value for the input parameter 'device_code' is not "
                                        "valid.", 70019)
            st["polls"] += 1
            if time.time() > st["expires_at"]:
                return self.oauth_error(handler, "expired_token",
                                        "The provided value for the 'code' parameter has expired.", 70020)
            if st["state"] == "declined":
                return self.oauth_error(handler, "authorization_declined",
                                        "The end-user denied the authorization request.", 70018)
            if st["state"] == "pending":
                if st["polls"] <= self.slow_down_polls:
                    return self.oauth_error(handler, "slow_down",
                                            "The client is polling too frequently.", 70022)
                return self.oauth_error(handler, "authorization_pending",
                                        "OAuth 2.0 device flow error. Authorization is pending. Continue "
                                        "polling.", 70016)
            del self.codes[code]  # a device code is redeemed once
            self.by_user_code.pop(st["user_code"], None)
        person = self.person_of(st["user"])
        tenant = tid_in
        if tenant in ("organizations", "common", None):
            tenant = self.home_principal(person)["tenantId"].lower()
        grant = {"person": person, "client_id": st["client_id"], "mfa": st["mfa"],
                 "mfa_tenants": {tenant} if st["mfa"] else set(), "issued": time.time(), "error": None}
        return self.issue(handler, grant, tenant, st["scope"])

    def approve(self, body, decline=False):
        """Test-only: the person signs in (or declines) at verification_uri."""
        with self.lock:
            dc = self.by_user_code.get(body.get("user_code", ""))
            if dc is None:
                return 404, {"error": "no such user_code"}
            st = self.codes[dc]
            if decline:
                st["state"] = "declined"
                return 200, {"ok": True}
            oid = str(body.get("user", "")).lower()
            if self.model.principals.get(oid, {}).get("kind") != "User":
                return 400, {"error": "user must be a User principal"}
            st.update(state="approved", user=oid, mfa=bool(body.get("mfa", True)))
        return 200, {"ok": True}

    def forget(self, body):
        """Test-only: the service loses the device code (bad_verification_code)."""
        with self.lock:
            dc = self.by_user_code.pop(body.get("user_code", ""), None)
            if dc is None:
                return 404, {"error": "no such user_code"}
            del self.codes[dc]
        return 200, {"ok": True}

    def invalidate(self, body):
        """Test-only: every grant now fails with this AADSTS code (700082, 70043, 50173)."""
        code = int(body.get("code", 700082))
        with self.lock:
            for g in self.grants.values():
                g["error"] = code
        return 200, {"ok": True}

    def token_info(self, body):
        """Test-only: the serial of a refresh token and the newest serial issued."""
        with self.lock:
            g = self.grants.get(body.get("refresh_token", ""))
            return 200, {"known": g is not None, "serial": g["serials"][body["refresh_token"]] if g else None,
                         "newest": self.serial}

    # -- refresh tokens --------------------------------------------------

    def redeem(self, handler, tid_in, form):
        rt = form.get("refresh_token", "")
        with self.lock:
            grant = self.grants.get(rt)
        if grant is None:
            return self.aad_error(handler, 9002313)
        if grant["client_id"] != form.get("client_id", "").lower():
            return self.aad_error(handler, 70000)
        if grant["error"]:
            return self.aad_error(handler, grant["error"], issued=stamp(grant["issued"]))
        tenant = tid_in
        if tenant in ("organizations", "common"):
            tenant = self.home_principal(grant["person"])["tenantId"].lower()
        return self.issue(handler, grant, tenant, form.get("scope", ""))

    def issue(self, handler, grant, tenant, scope):
        model = self.model
        person = grant["person"]
        home = self.home_principal(person)
        t = model.tenants.get(tenant, {})
        resource = None
        for s in scope.split():
            if s.endswith("/.default"):
                resource = s[: -len(".default")]
        if resource is None or not resource.startswith("https://management."):
            return self.oauth_error(handler, "invalid_scope",
                                    "The provided value for the input parameter 'scope' is not valid. The "
                                    "scope %s is not valid." % scope, 70011)
        p = self.person_tenants.get(person, {}).get(tenant)
        common = {"upn": home.get("userPrincipalName", ""), "home": home["tenantId"],
                  "tenant_name": t.get("displayName", tenant), "client": grant["client_id"]}
        if p is None:
            return self.aad_error(handler, 50020, **common)
        err = t.get("user_signin_error") or p.get("signin_error")
        if err:
            return self.aad_error(handler, int(err), **common)
        if t.get("user_mfa_required") and tenant not in grant["mfa_tenants"]:
            return self.aad_error(handler, 50076, **common)
        now = int(time.time())
        tid = str(t.get("user_token_tid") or tenant).lower()
        oid = p["id"].lower()
        aud = ("https://management.core.windows.net/" if "core.windows.net" in resource
               else "https://management.azure.com/")
        claims = {"aud": aud, "iss": "https://sts.windows.net/%s/" % tid, "iat": now, "nbf": now,
                  "exp": now + model.token_expires_in, "acr": "1", "aio": "fake",
                  "amr": ["pwd", "mfa"] if grant["mfa"] else ["pwd"],
                  "appid": grant["client_id"], "appidacr": "0", "idtyp": "user",
                  "name": home.get("displayName", ""), "oid": oid, "rh": "fake", "scp": "user_impersonation",
                  "sub": oid, "tid": tid, "unique_name": home.get("userPrincipalName", ""),
                  "uti": handler.b64url(uuid.uuid4().bytes), "ver": "1.0"}
        if p is home:
            claims["upn"] = home.get("userPrincipalName", "")
        else:  # a B2B guest: the home tenant is the identity provider
            claims["idp"] = "https://sts.windows.net/%s/" % home["tenantId"].lower()
        header = {"typ": "JWT", "alg": "RS256", "x5t": "fake-key", "kid": "fake-key"}
        token = ".".join([handler.b64url(json.dumps(header).encode()), handler.b64url(json.dumps(claims).encode()),
                          handler.b64url(b"fakesig")])
        new_rt = "0.A" + secrets.token_urlsafe(60)
        with self.lock:
            self.serial += 1
            grant.setdefault("serials", {})[new_rt] = self.serial
            self.grants[new_rt] = grant
        handler.auth_ok = True
        handler.log_oid = oid
        return handler.json_response(200, {
            "token_type": "Bearer", "scope": "%suser_impersonation %s.default" % (resource, resource),
            "expires_in": model.token_expires_in, "ext_expires_in": model.token_expires_in,
            "access_token": token, "refresh_token": new_rt})
