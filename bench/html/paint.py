#!/usr/bin/env python3
"""Opens an HTML report in headless chromium (tests/browser/cdp.py) REPEAT times, each in a
fresh tab, and prints first paint, first contentful paint, DOMContentLoaded and load (ms from
navigation start, the page's own Paint Timing and Navigation Timing entries), the wall time from
Page.navigate to the load event, and the DOM's size. Median of the runs, all runs listed.

    paint.py REPORT.html [REPEAT] [--no-js]

--no-js opens it with JavaScript disabled (Emulation.setScriptExecutionDisabled): the HTML's own
parse and layout, without the page's script (the difference is what the script costs)."""

import os
import statistics
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(root, "tests", "browser"))
import cdp  # noqa: E402

args = [a for a in sys.argv[1:] if a != "--no-js"]
scripts = "--no-js" not in sys.argv[1:]
html = os.path.abspath(args[0])
repeat = int(args[1]) if len(args) > 1 else 3
url = "file://" + html
runs = []
with tempfile.TemporaryDirectory(prefix="palscope-paint.") as tmp:
    with cdp.Browser(tmp, timeout=120) as b:
        for i in range(repeat):
            p = b.new_page(scripts=scripts)
            wall = p.load(url, timeout=120)
            # paint entries are queued after the frame is presented: wait for them
            p.wait_for("performance.getEntriesByType('paint').length >= 2", timeout=30)
            m = p.eval("""(() => {
                const paint = Object.fromEntries(performance.getEntriesByType('paint')
                    .map(e => [e.name, e.startTime]));
                const nav = performance.getEntriesByType('navigation')[0];
                return {fp: paint['first-paint'], fcp: paint['first-contentful-paint'],
                        dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                        rows: document.querySelectorAll('#customers tbody tr').length,
                        nodes: document.getElementsByTagName('*').length};
            })()""")
            m["wall"] = wall * 1000
            if p.exceptions or p.console:
                print("page said: %s %s" % (p.console[:3], p.exceptions[:3]), file=sys.stderr)
            runs.append(m)
            b.call("Target.closeTarget", {"targetId": p.target})
size = os.path.getsize(html)
print("report %s: %.1f MB, %d customer rows, %d elements"
      % (html, size / 1e6, runs[0]["rows"], runs[0]["nodes"]))
print("%-24s %10s   %s" % ("headless chromium" + ("" if scripts else ", JS off"), "median_ms", "runs"))
for key, label in (("fp", "first paint"), ("fcp", "first contentful paint"),
                   ("dcl", "DOMContentLoaded"), ("load", "load"), ("wall", "navigate -> load event")):
    vals = [r[key] for r in runs]
    print("%-24s %10.0f   %s" % (label, statistics.median(vals), " ".join("%.0f" % v for v in vals)))
fp = statistics.median(r["fp"] for r in runs)
print("target: first paint <= 2000 ms: %s" % ("met" if fp <= 2000 else "NOT met"))
