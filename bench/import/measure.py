#!/usr/bin/env python3
"""Run one command; print 'wall_s maxrss_kb' of it (and its children) on stdout."""
import resource
import subprocess
import sys
import time

t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
if rc != 0:
    sys.exit("command failed: %s" % " ".join(sys.argv[1:]))
print("%.3f %d %.3f" % (wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime))
