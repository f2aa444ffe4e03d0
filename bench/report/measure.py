#!/usr/bin/env python3
"""measure.py OUT CMD...: run CMD with stdout to OUT, print 'wall_s peak_rss_mb rc user_s sys_s'.
CPU and peak RSS come from GNU time (/usr/bin/time -f '%e %U %S %M') around CMD: the ru_maxrss
of a child forked from this Python process would start at Python's own RSS (Linux keeps the
larger of the two at exec), which is the floor under every small figure."""
import os, subprocess, sys, tempfile, time
out, cmd = sys.argv[1], sys.argv[2:]
fd, tf = tempfile.mkstemp(prefix="measure-", suffix=".txt")
os.close(fd)
try:
    t = time.monotonic()
    with open(out, "wb") as fp:
        rc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd, stdout=fp).returncode
    wall = time.monotonic() - t
    with open(tf) as f:
        last = [l for l in f.read().split("\n") if l.strip()][-1].split()
finally:
    os.unlink(tf)
user, sys_s, rss_kb = float(last[1]), float(last[2]), int(last[3])
print("%.2f %.1f %d %.2f %.2f" % (wall, rss_kb / 1024.0, rc, user, sys_s))
