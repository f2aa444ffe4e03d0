"""Workload credentials of the fake Azure: certificates, federation, managed identity.

What Entra ID checks, checked here for real (server.py calls in from its token
endpoint and its managed-identity routes):

* Client assertions signed with a certificate (principal key ``certificates``:
  PEM texts).  The JWT header names the key by ``x5t`` (base64url SHA-1 of the
  DER certificate, with RS256) or ``x5t#S256`` (SHA-256, with PS256); the
  signature is verified against that certificate's public key with the
  ``openssl`` command line (jwtutil.py).  ``aud`` must be the token endpoint
  the assertion was posted to, ``iss`` = ``sub`` = client_id, ``nbf``/``exp``
  must hold the current time, and a ``jti`` is accepted once.
* Federated credentials (principal key ``federatedCredentials``: ``issuer``,
  ``subject``, ``audiences``, ``issuerCertificate`` PEM, and optionally
  ``issuerKeyFile`` + ``tokenFile``).  The assertion is the external issuer's
  token: its signature, issuer, subject, audience and time are checked.  With
  ``tokenFile`` the fake plays the platform that projects the token (AKS,
  GitHub Actions): it writes a fresh token there at start and after every
  exchange, and a token rotated away is refused, so a client that does not
  re-read the file fails.
* Managed identity: ``GET /metadata/identity/oauth2/token`` (IMDS, header
  ``Metadata: true``, api-version 2018-02-01) and ``GET /msi/token`` (App
  Service ``IDENTITY_ENDPOINT``, header ``X-IDENTITY-HEADER``, api-version
  2019-08-01); principal key ``managedIdentity``: ``"system"`` or ``"user"``
  (user-assigned ones are picked by ``client_id``); scenario key
  ``managed_identity.identity_header`` is the App Service secret.

Error texts follow the real AADSTS messages where they are known (see README.md,
"Deviations" for the ones that are not).
"""

import datetime as dt
import os
import threading
import time
import urllib.parse

import jwtutil

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CERT_DOC = "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
WIF_DOC = ("Please check your federated identity credential Subject, Audience and Issuer against the "
           "presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation")
CLOCK_SKEW = 300  # seconds Entra tolerates either side


def aad_time(epoch) -> str:
    t = dt.datetime.fromtimestamp(float(epoch), dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07d" % (t.microsecond * 10) + "Z"


class Reject(Exception):
    """An AADSTS error: (HTTP status, error, AADSTS number, text)."""

    def __init__(self, status, error, code, text):
        super().__init__(text)
        self.status, self.error, self.code, self.text = status, error, code, text


class Credentials:
    def __init__(self, scenario: dict, principals: dict):
        self.lock = threading.Lock()
        self.certs = {}        # principal oid -> [{x5t, x5t256, sha1hex, sha256hex, pub}]
        self.federated = {}    # principal oid -> [credential]
        self.used_jti = set()  # client assertions already redeemed
        self.rotated = set()   # federated token jtis the platform has replaced
        self.current = {}      # tokenFile -> jti of the token now in it
        mi = scenario.get("managed_identity", {})
        self.identity_header = mi.get("identity_header")
        self.mi_system = None
        self.mi_user = {}      # client id -> principal
        for oid, p in principals.items():
            for pem in p.get("certificates", []):
                x5t, x5t256, hexsha1 = jwtutil.thumbprints(pem)
                self.certs.setdefault(oid, []).append({
                    "x5t": x5t, "x5t256": x5t256, "sha1hex": hexsha1,
                    "sha256hex": jwtutil.b64url_decode(x5t256).hex().upper(),
                    "pub": jwtutil.public_key_pem(pem)})
            for fc in p.get("federatedCredentials", []):
                fc = dict(fc)
                fc["pub"] = jwtutil.public_key_pem(fc["issuerCertificate"])
                self.federated.setdefault(oid, []).append(fc)
                if fc.get("tokenFile"):
                    self.rotate(fc)
            kind = p.get("managedIdentity")
            if kind == "system":
                self.mi_system = p
            elif kind == "user":
                self.mi_user[p["clientId"].lower()] = p

    # -- federated token files -------------------------------------------------

    def rotate(self, fc):
        """Write a fresh issuer token into fc's tokenFile (atomically); the old one is void."""
        tok = jwtutil.mint_federated(fc["issuerKeyFile"], fc["issuer"], fc["subject"],
                                     fc.get("audiences", ["api://AzureADTokenExchange"])[0])
        jti = jwtutil.split(tok)[1]["jti"]
        path = fc["tokenFile"]
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(tok)
        os.replace(tmp, path)
        old = self.current.get(path)
        if old:
            self.rotated.add(old)
        self.current[path] = jti

    # -- client assertions -----------------------------------------------------

    def check_assertion(self, p: dict, form: dict, endpoints: set):
        """Accept form's client_assertion for principal p, or raise Reject."""
        cid = p["clientId"]
        if form.get("client_assertion_type") != JWT_BEARER:
            raise Reject(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        try:
            header, claims, signing_input, sig = jwtutil.split(form.get("client_assertion", ""))
        except ValueError:
            raise Reject(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        oid = p["id"].lower()
        fed = [fc for fc in self.federated.get(oid, []) if fc["issuer"] == claims.get("iss")]
        if fed or (self.federated.get(oid) and not self.certs.get(oid)):
            return self.check_federated(p, header, claims, signing_input, sig, fed)
        return self.check_certificate(p, cid, header, claims, signing_input, sig, endpoints)

    def check_time(self, claims, doc):
        now = time.time()
        try:
            exp, nbf = float(claims["exp"]), float(claims.get("nbf", 0))
        except (KeyError, TypeError, ValueError):
            raise Reject(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        if exp + CLOCK_SKEW < now or nbf - CLOCK_SKEW > now:
            raise Reject(401, "invalid_client", 700024,
                         "Client assertion is not within its valid time range. Current time: %s, "
                         "assertion valid from %s, expiry time of assertion %s. %s"
                         % (aad_time(now), aad_time(nbf), aad_time(exp), doc))

    def check_certificate(self, p, cid, header, claims, signing_input, sig, endpoints):
        alg = header.get("alg")
        if alg == "PS256":
            thumb, field, hexname = header.get("x5t#S256"), "x5t256", "sha256hex"
        elif alg == "RS256":
            thumb, field, hexname = header.get("x5t"), "x5t", "sha1hex"
        else:
            raise Reject(401, "invalid_client", 50027,
                         "JWT token is invalid or malformed. The algorithm '%s' is not supported." % alg)
        if not thumb:
            raise Reject(401, "invalid_client", 50027,
                         "Invalid JWT token. No certificate thumbprint specified in token header.")
        if claims.get("iss") != cid or claims.get("sub") != cid:
            raise Reject(401, "invalid_client", 700021,
                         "Client assertion application identifier doesn't match 'client_id' parameter. "
                         + CERT_DOC)
        key = next((k for k in self.certs.get(p["id"].lower(), []) if k[field] == thumb), None)
        try:
            used_hex = jwtutil.b64url_decode(thumb).hex().upper()
        except ValueError:
            used_hex = thumb
        keys_msg = ("Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
                    "configured keys for app Id '%s'." % cid)
        if key is None:
            raise Reject(401, "invalid_client", 700027,
                         "Client assertion contains an invalid signature. [Reason - The key was not "
                         "found., Thumbprint of key used by client: '%s', %s]" % (used_hex, keys_msg))
        if not jwtutil.verify(key["pub"], alg, signing_input, sig):
            raise Reject(401, "invalid_client", 700027,
                         "Client assertion contains an invalid signature. [Reason - The provided "
                         "signature value did not match the expected signature value., Thumbprint of "
                         "key used by client: '%s', Found key 'Start=01/01/2026 00:00:00, "
                         "End=01/01/2028 00:00:00', %s]" % (key[hexname], keys_msg))
        if claims.get("aud") not in endpoints:
            raise Reject(401, "invalid_client", 50012,
                         "Client assertion audience claim does not match Realm issuer.")
        self.check_time(claims, CERT_DOC)
        jti = claims.get("jti")
        with self.lock:
            if not jti or jti in self.used_jti:
                raise Reject(401, "invalid_client", 50027,
                             "JWT token is invalid or malformed. The client assertion's jti was "
                             "already used.")
            self.used_jti.add(jti)

    def check_federated(self, p, header, claims, signing_input, sig, creds):
        if not creds:
            raise Reject(400, "invalid_request", 700211,
                         "No matching federated identity record found for presented assertion issuer "
                         "'%s'. %s" % (claims.get("iss"), WIF_DOC))
        fc = next((c for c in creds if c["subject"] == claims.get("sub")), None)
        if fc is None:
            raise Reject(400, "invalid_request", 700213,
                         "No matching federated identity record found for presented assertion subject "
                         "'%s'. %s" % (claims.get("sub"), WIF_DOC))
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if not any(a in fc.get("audiences", ["api://AzureADTokenExchange"]) for a in auds):
            raise Reject(400, "invalid_request", 700212,
                         "No matching federated identity record found for presented assertion audience "
                         "'%s'. %s" % (aud, WIF_DOC))
        if not jwtutil.verify(fc["pub"], header.get("alg"), signing_input, sig):
            raise Reject(401, "invalid_client", 700027,
                         "Client assertion contains an invalid signature. [Reason - The provided "
                         "signature value did not match the expected signature value.]")
        self.check_time(claims, WIF_DOC)
        with self.lock:
            if claims.get("jti") in self.rotated:
                # The platform replaced this token; Entra would still take it until its exp.
                now = time.time()
                raise Reject(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range. Current time: %s, "
                             "assertion valid from %s, expiry time of assertion %s. %s"
                             % (aad_time(now), aad_time(claims.get("nbf", 0)), aad_time(now - 1), WIF_DOC))
            if fc.get("tokenFile") and self.current.get(fc["tokenFile"]) == claims.get("jti"):
                self.rotate(fc)

    # -- managed identity ------------------------------------------------------

    def managed_identity(self, path: str, query: str, headers):
        """(principal, resource, style) for an IMDS / App Service token request; MiError if refused."""
        qs = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if path == "/metadata/identity/oauth2/token":
            style = "imds"
            if headers.get("Metadata") != "true":
                raise MiError(400, {"error": "invalid_request",
                                    "error_description": "Required metadata header not specified"})
            if qs.get("api-version") != "2018-02-01":
                raise MiError(400, {"error": "invalid_request",
                                    "error_description": "Invalid API version"})
        else:
            style = "appservice"
            if not self.identity_header or headers.get("X-IDENTITY-HEADER") != self.identity_header:
                raise MiError(401, {"statusCode": 401, "message": "Unauthorized"})
            if qs.get("api-version") != "2019-08-01":
                raise MiError(400, {"statusCode": 400, "message": "Invalid API version"})
        cid = qs.get("client_id", "").lower()
        p = self.mi_user.get(cid) if cid else self.mi_system
        if p is None:
            raise MiError(400, {"error": "invalid_request", "error_description": "Identity not found"})
        return p, qs.get("resource", ""), style


class MiError(Exception):
    def __init__(self, status, body):
        super().__init__(str(body))
        self.status, self.body = status, body
