#!/usr/bin/env python3
"""Collect benchmark: palscope collect against the fake Azure server with latency.

For each tenant count given, this
  1. generates a scenario (N tenants x K subscriptions, R resource groups per
     subscription) with tests/fake_azure/gen_scenario.py into a temporary dir,
  2. starts tests/fake_azure/server.py on 127.0.0.1 (port 0) with
     --latency-ms L,
  3. runs `palscope collect --concurrency C` against it, measuring the wall
     time, and palscope's own CPU time and peak RSS with os.wait4(),
  4. reads the request count from the run table (`select requests from run`),
     and prints requests, wall, the lower bound requests*L/C, the ratio,
     CPU (user+sys, and as % of wall), peak RSS, plus the fake server's CPU.

Standard library only.  Everything runs on 127.0.0.1; every step has a
timeout, so the script always stops by itself.
"""

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FAKE = os.path.join(ROOT, "tests", "fake_azure")

# Targets of the scale issue: wall <= 1.10 x the latency bound at N >= 500 (1.25 below), CPU
# <= 0.2 ms per request (and <= 15 % of wall), peak RSS <= 32 MB at every N.
TARGET_RATIO = 1.10
TARGET_RATIO_SMALL = 1.25
TARGET_CPU_PCT = 15.0
TARGET_CPU_MS_PER_REQ = 0.2
TARGET_RSS_MB = 32.0


def read_secrets(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("export ") and "=" in line:
                k, _, v = line[7:].partition("=")
                env[k] = v
    return env


def proc_cpu(pid):
    """user+sys seconds of a live process (and its reaped children), from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        # fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tck
    except (OSError, IndexError, ValueError):
        return float("nan")


def server_tree_cpu(pid):
    """CPU of the server process (all its threads)."""
    return proc_cpu(pid)


GNU_TIME = "/usr/bin/time"


def gnu_time(path):
    """user s, sys s, peak RSS KB of palscope from GNU time's -f '%e %U %S %M' line."""
    with open(path) as f:
        last = [l for l in f.read().split("\n") if l.strip()][-1].split()
    return float(last[1]), float(last[2]), int(last[3])


def run_one(args, tenants, work):
    d = os.path.join(work, "t%d" % tenants)
    os.makedirs(d, exist_ok=True)
    scen = os.path.join(d, "scenario.json")
    accts = os.path.join(d, "accounts.csv")
    secrets = os.path.join(d, "secrets.env")
    db = os.path.join(d, "bench.db")
    for f in (db, db + "-wal", db + "-shm", os.path.join(d, "requests.jsonl")):
        if os.path.exists(f):
            os.remove(f)
    if not os.path.exists(secrets):  # generated once per tenant count (deterministic)
        subprocess.run([sys.executable, os.path.join(FAKE, "gen_scenario.py"), "--tenants", str(tenants),
                        "--subs-per-tenant", str(args.subs), "--rg-per-sub", str(args.rgs),
                        "--out", scen, "--accounts-out", accts, "--secrets-out", secrets],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)

    srv_cmd = [sys.executable, args.server, "--scenario", scen,
               "--port", "0", "--latency-ms", str(args.latency_ms)]
    if args.log:
        srv_cmd += ["--log", os.path.join(d, "requests.jsonl")]
    srv = subprocess.Popen(srv_cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(d, "server.err"), "w"),
                           text=True, start_new_session=True)
    try:
        deadline = time.time() + 60
        line = srv.stdout.readline()
        if not line.startswith("PORT ") or time.time() > deadline:
            raise RuntimeError("fake server did not start: %r (see %s/server.err)" % (line, d))
        port = int(line.split()[1])
        url = "http://127.0.0.1:%d" % port
        srv_cpu0 = server_tree_cpu(srv.pid)

        env = dict(os.environ)
        env.update(read_secrets(secrets))
        cmd = [args.palscope, "collect", "--db", db, "--accounts", accts, "--partner-id", "1234567",
               "--period", "2026-10", "--arm-url", url, "--login-url", url,
               "--concurrency", str(args.concurrency), "--quiet"]
        out = open(os.path.join(d, "collect.out"), "w")
        # CPU and peak RSS from GNU time around palscope: os.wait4's ru_maxrss of a child forked
        # from this Python process starts at Python's own RSS (Linux keeps the larger at exec).
        timef = os.path.join(d, "time.txt")
        cmd = [GNU_TIME, "-f", "%e %U %S %M", "-o", timef] + cmd
        t_wall0 = time.time()
        t0 = time.monotonic()
        child = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        # Poll with a hard timeout so the benchmark always ends.
        while True:
            pid, status, ru = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > args.timeout:
                os.killpg(child.pid, signal.SIGKILL)  # GNU time and palscope
                pid, status, ru = os.wait4(child.pid, 0)
                raise RuntimeError("palscope collect did not finish in %ds" % args.timeout)
            time.sleep(0.005)
        wall = time.monotonic() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        srv_cpu = server_tree_cpu(srv.pid) - srv_cpu0
    finally:
        try:
            os.killpg(srv.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(srv.pid, signal.SIGKILL)
            srv.wait()

    con = sqlite3.connect(db)
    try:
        requests = con.execute("select requests from run order by rowid desc limit 1").fetchone()[0]
    finally:
        con.close()
    log_lines = None
    phases = None
    if args.log:
        with open(os.path.join(d, "requests.jsonl"), "rb") as f:
            ts = [json.loads(l)["ts"] for l in f]
        log_lines = len(ts)
        if ts:  # the server logs each request when its response is written
            phases = (min(ts) - t_wall0, max(ts) - min(ts), wall - (max(ts) - t_wall0))
    utime, stime, rss_kb = gnu_time(timef)
    cpu = utime + stime
    db_mb = os.path.getsize(db) / 1e6
    return {"db_mb": db_mb, "tenants": tenants, "subs": tenants * args.subs, "rc": child.returncode,
            "requests": requests, "log_lines": log_lines, "wall": wall,
            "bound": requests * args.latency_ms / 1000.0 / args.concurrency,
            "cpu": cpu, "user": utime, "sys": stime, "rss_mb": rss_kb / 1024.0,
            "srv_cpu": srv_cpu, "dir": d, "phases": phases}


def report(r, args):
    ratio = r["wall"] / r["bound"] if r["bound"] else float("inf")
    cpu_pct = 100.0 * r["cpu"] / r["wall"]
    ms_req = 1000.0 * r["cpu"] / r["requests"] if r["requests"] else float("inf")
    target_ratio = TARGET_RATIO if r["tenants"] >= 500 else TARGET_RATIO_SMALL
    ok = lambda b: "ok" if b else "MISSED"
    print("== %d tenants x %d subscriptions (%d subscriptions), latency %g ms, concurrency %d"
          % (r["tenants"], args.subs, r["subs"], args.latency_ms, args.concurrency))
    print("  collect exit status   %d" % r["rc"])
    req = "%d" % r["requests"]
    if r["log_lines"] is not None:
        req += " (server log: %d lines)" % r["log_lines"]
    print("  requests              %s" % req)
    print("  wall time             %.2f s" % r["wall"])
    print("  lower bound           %.2f s  (requests x %g ms / %d)" % (r["bound"], args.latency_ms,
                                                                     args.concurrency))
    print("  wall / lower bound    %.3f   [target <= %.2f: %s]" % (ratio, target_ratio, ok(ratio <= target_ratio)))
    print("  palscope CPU          %.2f s (user %.2f + sys %.2f) = %.1f%% of wall   [target <= %.0f%%: %s]"
          % (r["cpu"], r["user"], r["sys"], cpu_pct, TARGET_CPU_PCT, ok(cpu_pct <= TARGET_CPU_PCT)))
    print("  palscope CPU/request  %.3f ms   [target <= %.1f ms: %s]"
          % (ms_req, TARGET_CPU_MS_PER_REQ, ok(ms_req <= TARGET_CPU_MS_PER_REQ)))
    print("  palscope peak RSS     %.1f MB   [target <= %.0f MB: %s]"
          % (r["rss_mb"], TARGET_RSS_MB, ok(r["rss_mb"] <= TARGET_RSS_MB)))
    print("  database size         %.1f MB" % r["db_mb"])
    print("  fake server CPU       %.2f s (%.0f%% of one core)" % (r["srv_cpu"], 100.0 * r["srv_cpu"] / r["wall"]))
    if r.get("phases"):
        a, b, c = r["phases"]
        print("  where the wall goes   %.2f s to the first response (start-up, sign-in), %.2f s of responses "
              "(%.0f%% of 32 per latency), %.2f s after the last one (run-end summaries, commit)"
              % (a, b, 100.0 * r["requests"] * args.latency_ms / 1000.0 / args.concurrency / b if b else 0, c))
    sys.stdout.flush()
    return (ratio <= target_ratio and cpu_pct <= TARGET_CPU_PCT and ms_req <= TARGET_CPU_MS_PER_REQ
            and r["rss_mb"] <= TARGET_RSS_MB and r["rc"] == 0)


def main(argv=None):
    ap = argparse.ArgumentParser(description="palscope collect benchmark against the fake Azure server")
    ap.add_argument("--palscope", default=os.path.join(ROOT, "build-bench", "palscope"))
    ap.add_argument("--tenants", type=int, nargs="+", default=[500, 100])
    ap.add_argument("--subs", type=int, default=3, help="subscriptions per tenant")
    ap.add_argument("--rgs", type=int, default=2, help="resource groups (with cost) per subscription")
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--server", default=os.path.join(FAKE, "server.py"), help="fake server script")
    ap.add_argument("--log", action="store_true", help="run the server with --log and count its lines")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tenant count; the median (by wall) is shown")
    ap.add_argument("--timeout", type=int, default=300, help="seconds before a collect run is killed")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)
    if not os.access(args.palscope, os.X_OK):
        sys.exit("no palscope binary at %s (build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release "
                 "&& cmake --build build-bench -j2)" % args.palscope)

    work = tempfile.mkdtemp(prefix="palscope-bench-")
    results = []
    try:
        for n in args.tenants:
            runs = []
            for i in range(args.repeat):
                load = open("/proc/loadavg").read().split()[0]
                runs.append(run_one(args, n, work))
                runs[-1]["load"] = load
            runs.sort(key=lambda r: r["wall"])
            r = runs[len(runs) // 2]
            report(r, args)
            if len(runs) > 1:
                print("  all %d runs (wall s / CPU s / RSS MB / load avg before): %s   (median shown)"
                      % (len(runs), ", ".join("%.2f/%.2f/%.1f/%s" % (x["wall"], x["cpu"], x["rss_mb"], x["load"])
                                              for x in runs)))
            else:
                print("  load average before   %s" % r["load"])
            sys.stdout.flush()
            results.append(r)
        if len(results) > 1:
            lo, hi = min(results, key=lambda r: r["tenants"]), max(results, key=lambda r: r["tenants"])
            print("== peak RSS %d tenants %.1f MB vs %d tenants %.1f MB (x%.2f for x%.0f tenants)"
                  % (hi["tenants"], hi["rss_mb"], lo["tenants"], lo["rss_mb"],
                     hi["rss_mb"] / lo["rss_mb"], hi["tenants"] / lo["tenants"]))
    finally:
        if args.keep:
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
