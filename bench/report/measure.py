#!/usr/bin/env python3
"""measure.py OUT CMD...: run CMD with stdout to OUT, print 'wall_s peak_rss_mb' (the child's
ru_maxrss, so run one command per invocation)."""
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
with open(out, "wb") as fp:
    rc = subprocess.run(cmd, stdout=fp).returncode
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
print("%.2f %.1f %d" % (wall, rss, rc))
