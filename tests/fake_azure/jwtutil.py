#!/usr/bin/env python3
"""Signed JWTs for the fake Azure: verify client assertions, mint federated tokens.

Python's standard library has no RSA, so signatures are made and checked by the
``openssl`` command line (Debian's ``openssl`` package), through temporary files
that are removed at once.  Used by server.py, and by tests as a command:

    python3 jwtutil.py mint --key issuer-key.pem --iss ISS --sub SUB \
        [--aud api://AzureADTokenExchange] [--exp-in 3600] [--nbf-in 0]

prints an RS256 JWT (what GitHub Actions or AKS write into a federated token file).
"""

import argparse
import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import uuid


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cert_der(pem: str) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.strip() + "\n")


def thumbprints(pem: str):
    """(x5t, x5t#S256, SHA-1 hex upper case) of a PEM certificate."""
    der = cert_der(pem)
    sha1 = hashlib.sha1(der).digest()
    return b64url(sha1), b64url(hashlib.sha256(der).digest()), sha1.hex().upper()


def public_key_pem(cert_pem: str) -> str:
    """The certificate's public key as PEM (openssl x509 -pubkey)."""
    out = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=cert_pem.encode(),
                         capture_output=True, check=True)
    return out.stdout.decode()


def _with_files(*blobs):
    paths = []
    for b in blobs:
        fd, p = tempfile.mkstemp(prefix="fake-azure-jwt.")
        with os.fdopen(fd, "wb") as f:
            f.write(b)
        paths.append(p)
    return paths


def verify(pubkey_pem: str, alg: str, signing_input: bytes, sig: bytes) -> bool:
    """RS256 (PKCS#1 v1.5) or PS256 (PSS, salt = 32, MGF1 SHA-256) with openssl dgst."""
    if alg not in ("RS256", "PS256"):
        return False
    key, data, sigf = _with_files(pubkey_pem.encode(), signing_input, sig)
    try:
        cmd = ["openssl", "dgst", "-sha256", "-verify", key, "-signature", sigf]
        if alg == "PS256":
            cmd[3:3] = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                        "-sigopt", "rsa_mgf1_md:sha256"]
        cmd.append(data)
        return subprocess.run(cmd, capture_output=True).returncode == 0
    finally:
        for p in (key, data, sigf):
            os.unlink(p)


def sign_rs256(key_file: str, header: dict, claims: dict) -> str:
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    (data,) = _with_files(signing_input.encode())
    try:
        out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file, data],
                             capture_output=True, check=True)
    finally:
        os.unlink(data)
    return signing_input + "." + b64url(out.stdout)


def split(token: str):
    """(header, claims, signing_input bytes, signature bytes); ValueError if not a JWT."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    header = json.loads(b64url_decode(parts[0]))
    claims = json.loads(b64url_decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return header, claims, (parts[0] + "." + parts[1]).encode(), b64url_decode(parts[2])


def mint_federated(key_file, iss, sub, aud="api://AzureADTokenExchange", exp_in=3600, nbf_in=0):
    now = int(time.time())
    claims = {"iss": iss, "sub": sub, "aud": aud, "jti": str(uuid.uuid4()), "iat": now,
              "nbf": now + nbf_in, "exp": now + exp_in}
    return sign_rs256(key_file, {"alg": "RS256", "typ": "JWT", "kid": "fake-issuer"}, claims)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mint")
    m.add_argument("--key", required=True)
    m.add_argument("--iss", required=True)
    m.add_argument("--sub", required=True)
    m.add_argument("--aud", default="api://AzureADTokenExchange")
    m.add_argument("--exp-in", type=int, default=3600)
    m.add_argument("--nbf-in", type=int, default=0)
    a = ap.parse_args(argv)
    print(mint_federated(a.key, a.iss, a.sub, a.aud, a.exp_in, a.nbf_in))
    return 0


if __name__ == "__main__":
    sys.exit(main())
