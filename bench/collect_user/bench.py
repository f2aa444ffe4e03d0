#!/usr/bin/env python3
"""collect --user benchmark (issue 11, "Performance"): one signed-in user who is a guest in N
tenants (one refresh-token redemption each), 50 ms latency per response, --concurrency 32.

  1. tests/fake_azure/gen_scenario.py makes N tenants x 1 subscription; every service principal
     of it gets a User guest principal beside it (same role assignments, same link), all guests
     of one person whose home is the first tenant (tests/fake_azure/users.py),
  2. the fake server runs with --latency-ms L; `palscope login` signs in (approved through the
     fake's test-only route) into a temporary $XDG_STATE_HOME,
  3. `palscope collect --user --concurrency C --quiet` is timed; palscope's CPU and peak RSS come
     from os.wait4().  The lower bound is the run's requests x L / C plus the sign-in chain that
     must come first (home token, GET /tenants pages: requests the fake logged after the
     collect started that are not the run's) x L.

Standard library only; everything on 127.0.0.1; every step has a timeout.
"""

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FAKE = os.path.join(ROOT, "tests", "fake_azure")
TARGET_RATIO = 1.10


def user_scenario(n, work):
    base = os.path.join(work, "base.json")
    subprocess.run([sys.executable, os.path.join(FAKE, "gen_scenario.py"), "--tenants", str(n),
                    "--subs-per-tenant", "1", "--rg-per-sub", "2", "--out", base],
                   check=True, stdout=subprocess.DEVNULL, timeout=120)
    s = json.load(open(base))
    home_tid = s["tenants"][0]["id"]
    person = "0e000000-0000-4000-8000-000000000000"
    guests = {}
    extra = [{"id": person, "tenantId": home_tid, "kind": "User", "displayName": "Bench User",
              "userPrincipalName": "bench@home.example"}]
    for i, p in enumerate(list(s["principals"])):
        if p.get("kind") != "ServicePrincipal" or p["tenantId"] == home_tid:
            continue
        g = "0e%06x-0000-4000-8000-%012x" % (i + 1, i + 1)
        guests[p["id"]] = g
        extra.append({"id": g, "tenantId": p["tenantId"], "kind": "User", "displayName": "Bench User",
                      "homePrincipal": person,
                      "userPrincipalName": "bench_home.example#EXT#@%s" % p["tenantId"]})
    s["principals"] += extra
    s["role_assignments"] += [dict(ra, principalId=guests[ra["principalId"]], id=None)
                              for ra in s["role_assignments"] if ra.get("principalId") in guests]
    for ra in s["role_assignments"]:
        if ra.get("id") is None:
            ra.pop("id")
    links = s.get("links", {})
    for sp, g in guests.items():
        if sp in links:
            links[g] = links[sp]
    s["device_code"] = {"interval": 1}
    out = os.path.join(work, "users.json")
    json.dump(s, open(out, "w"))
    return out, person, len(guests)


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    return urllib.request.urlopen(req, timeout=10).read()


GNU_TIME = "/usr/bin/time"


def gnu_time(path):
    """user s, sys s, peak RSS KB of palscope from GNU time's -f '%e %U %S %M' line."""
    with open(path) as f:
        last = [l for l in f.read().split("\n") if l.strip()][-1].split()
    return float(last[1]), float(last[2]), int(last[3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--palscope", required=True)
    ap.add_argument("--tenants", type=int, default=500)
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="palscope-bench-user-")
    scen, person, n_guests = user_scenario(args.tenants, work)
    log = os.path.join(work, "requests.jsonl")
    srv = subprocess.Popen([sys.executable, os.path.join(FAKE, "server.py"), "--scenario", scen, "--port", "0",
                            "--latency-ms", str(args.latency_ms), "--log", log],
                           stdout=subprocess.PIPE, stderr=open(os.path.join(work, "server.err"), "w"),
                           text=True, start_new_session=True)
    try:
        line = srv.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("fake server did not start (%s/server.err)" % work)
        url = "http://127.0.0.1:%d" % int(line.split()[1])
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, "state"))
        login = subprocess.Popen([args.palscope, "login", "--login-url", url], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        code = None
        t_end = time.time() + 60
        while code is None and time.time() < t_end:
            m = re.search(r"enter the code ([A-Z0-9]+) to authenticate", login.stderr.readline())
            code = m.group(1) if m else None
        if code is None:
            login.kill()
            raise RuntimeError("palscope login showed no code")
        post(url + "/_fake/devicecode/approve", {"user_code": code, "user": person, "mfa": True})
        if login.wait(timeout=60) != 0:
            raise RuntimeError("palscope login failed")

        db = os.path.join(work, "bench.db")
        cmd = [args.palscope, "collect", "--user", "--db", db, "--partner-id", "1234567", "--period", "2026-10",
               "--arm-url", url, "--login-url", url, "--concurrency", str(args.concurrency), "--quiet"]
        # CPU and peak RSS from GNU time around palscope: os.wait4's ru_maxrss of a child forked
        # from this Python process starts at Python's own RSS (Linux keeps the larger at exec).
        timef = os.path.join(work, "time.txt")
        cmd = [GNU_TIME, "-f", "%e %U %S %M", "-o", timef] + cmd
        t_wall0 = time.time()
        t0 = time.monotonic()
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(work, "collect.err"), "w"), start_new_session=True)
        while True:
            pid, status, ru = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > args.timeout:
                os.killpg(child.pid, signal.SIGKILL)  # GNU time and palscope
                os.wait4(child.pid, 0)
                raise RuntimeError("collect --user did not finish in %ds" % args.timeout)
            time.sleep(0.005)
        wall = time.monotonic() - t0
        rc = os.waitstatus_to_exitcode(status)
    finally:
        try:
            os.killpg(srv.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        srv.wait(timeout=10)
    con = sqlite3.connect(db)
    requests, ok, idents = con.execute(
        "select requests, identities_ok, (select count(*) from identity) from run").fetchone()
    con.close()
    logged = sum(1 for r in map(json.loads, open(log)) if r["ts"] >= t_wall0 - 0.01)
    chain = max(logged - requests, 0)
    bound = (requests / args.concurrency + chain) * args.latency_ms / 1000.0
    utime, stime, rss_kb = gnu_time(timef)
    cpu = utime + stime
    print("collect --user: %d tenants (%d guest), exit %d, identities ok %d/%d" %
          (args.tenants, n_guests, rc, ok, idents))
    print("  requests %d in the run + %d sign-in chain (home token, GET /tenants pages)" % (requests, chain))
    print("  wall %.2f s, lower bound %.2f s (%d x %.0f ms / %d + %d x %.0f ms): ratio %.2f (target <= %.2f: %s)" %
          (wall, bound, requests, args.latency_ms, args.concurrency, chain, args.latency_ms, wall / bound,
           TARGET_RATIO, "met" if wall / bound <= TARGET_RATIO else "NOT met"))
    print("  palscope CPU %.2f s = %.1f %% of wall (user %.2f, sys %.2f); peak RSS %.1f MB" %
          (cpu, 100 * cpu / wall, utime, stime, rss_kb / 1024.0))
    ts = [r["ts"] for r in map(json.loads, open(log)) if r["ts"] >= t_wall0 - 0.01]
    if ts:  # the server logs each request when its response is written
        print("  where the wall goes: %.2f s to the first response, %.2f s of responses, %.2f s after the last one "
              "(run-end summaries, commit)" % (min(ts) - t_wall0, max(ts) - min(ts), wall - (max(ts) - t_wall0)))
    print("  work dir %s" % work)


if __name__ == "__main__":
    main()
