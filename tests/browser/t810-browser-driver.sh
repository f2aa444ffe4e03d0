#!/usr/bin/env bash
# The CDP driver (tests/browser/cdp.py) checked on pages of our own in headless chromium:
# driver-page.html (the report contract's hooks): DOM read, typing in #filter-text, choosing in
# #filter-status, sort by a real mouse click on a header button, a <details> opened by a click,
# the page with JavaScript disabled, a screenshot (PNG kept in $ARTIFACTS), A4 print to PDF with
# the print CSS (2 pages); driver-noisy.html: the console message, the uncaught exception, the
# dialog, the CSP refusal and both network requests it makes are all seen.
. "$SRCDIR/tests/integration/lib.sh"
"$PYTHON" - "$T" "$SRCDIR/tests/browser" "${ARTIFACTS:-$T}" <<'PY' || fail "driver"
import os, sys
tmp, here, art = sys.argv[1:4]
sys.path.insert(0, here)
import cdp
os.makedirs(art, exist_ok=True)
url = "file://" + os.path.join(here, "driver-page.html")
noisy = "file://" + os.path.join(here, "driver-noisy.html")

def visible(p):
    return p.eval("[...document.querySelectorAll('#customers tbody tr.customer')]"
                  ".filter(r => !r.hidden).map(r => r.dataset.tenantId)")

with cdp.Browser(tmp) as b:
    p = b.new_page()
    p.load(url)
    assert p.eval("document.documentElement.dataset.js") == "on", "page script did not run"
    assert visible(p) == ["t1", "t2", "t3"], visible(p)
    # the hostile name is text, not markup
    assert p.eval("document.querySelector('#c-t3 td').textContent") == "<script>alert(1)</script>"
    p.type_text("#filter-text", "NORTH")
    assert p.eval("document.getElementById('filter-text').value") == "NORTH"
    assert visible(p) == ["t2"], visible(p)
    assert p.eval("document.getElementById('filter-count').textContent") == "1 of 3 customers"
    p.type_text("#filter-text", "")
    assert visible(p) == ["t1", "t2", "t3"], visible(p)
    p.select("#filter-status", "UNKNOWN")
    assert visible(p) == ["t3"], visible(p)
    try:
        p.select("#filter-status", "NOPE")
        raise AssertionError("select of a missing option passed")
    except cdp.CDPError:
        pass
    p.select("#filter-status", "")
    p.click('#customers th[data-key="usage"] button')
    assert visible(p) == ["t3", "t1", "t2"], visible(p)
    assert p.eval("document.querySelector('th[data-key=usage]').getAttribute('aria-sort')") == "ascending"
    p.click('#customers th[data-key="usage"] button')
    assert visible(p) == ["t2", "t1", "t3"], visible(p)
    p.click('#customers th[data-key="customer_name"] button')
    assert visible(p) == ["t3", "t1", "t2"], visible(p)   # "<script>..." < "Contoso" < "Northwind"
    assert not p.eval("document.querySelector('#c-t2 details.why').open")
    p.click("#c-t2 details.why summary")
    assert p.eval("document.querySelector('#c-t2 details.why').open"), "details did not open"
    png = p.screenshot(os.path.join(art, "t810-driver-page.png"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000, len(png)
    pdf = p.pdf(os.path.join(art, "t810-driver-page.pdf"))
    assert cdp.pdf_page_count(pdf) == 2, cdp.pdf_page_count(pdf)   # the print-only 300 mm block
    b.pump(0.3)
    assert p.console == [] and p.exceptions == [] and p.log == [] and p.dialogs == [], \
        (p.console, p.exceptions, p.log, p.dialogs)
    assert p.requests == [url], p.requests

    # JavaScript off: the page's script does not run, the DOM is still there to read
    off = b.new_page(scripts=False)
    off.load(url)
    assert off.eval("document.documentElement.dataset.js") is None, "script ran with JS disabled"
    rows = off.query_all("#customers tbody tr.customer")
    assert len(rows) == 3, rows
    assert off.attributes(rows[1])["data-status"] == "MISSING"
    off.screenshot(os.path.join(art, "t810-driver-page-nojs.png"))

    # everything the report must not do is seen
    n = b.new_page()
    n.load(noisy)
    b.pump(1.0)
    assert n.eval("document.getElementById('p').textContent") == "noisy", "CSP did not block"
    assert n.console == ["error: driver-noisy: console.error"], n.console
    assert len(n.exceptions) == 1 and "driver-noisy: uncaught" in n.exceptions[0], n.exceptions
    assert n.dialogs == ["driver-noisy: alert"], n.dialogs
    assert any("Content Security Policy" in l for l in n.log), n.log
    assert n.requests == [noisy, "http://127.0.0.1:9/pixel.png", "http://127.0.0.1:9/data.json"], n.requests
print("ok - driver: DOM, filter, sort, details, JS off, screenshot, PDF, console/exception/dialog/CSP/network seen")
PY
ok "browser driver"
