#!/usr/bin/env python3
"""Checks one `palscope report html` file in headless chromium (cdp.py) against the CSV reports
of the same database and period (`report customers`, `report summary`, read with Python's csv).

    check_report.py TMPDIR REPORT.html CUSTOMERS.csv SUMMARY.csv ARTIFACTS NAME

The hooks are those of the HTML report's DOM contract (README, "The HTML report"): section
#headline [data-figure], #funnel g[data-step], #reasons a[data-reason], #actions li,
table#customers tr.customer[data-status|data-reason|data-usage|data-name], #filter-text,
#filter-status, #filter-reason, #filter-count, th[data-key] button, details.why.
Screenshots (JS on, JS off) and the A4 PDF go to ARTIFACTS as NAME-*.png / NAME.pdf."""

import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402

FUNNEL = ["customer_tenants", "signed_in", "linked", "eligible_rbac", "with_usage", "attributed"]
HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("https://evil.example/x","Click me")',
           '"><img src=x onerror=alert(2)> Wide \'World\' & Co']


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))


def unguard(s):
    """The CSV's formula guard (a leading ' before = + - @ tab CR) is CSV only."""
    return s[1:] if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r" else s


def money(s):
    return None if s in ("", None) else round(float(s), 2)


def main():
    tmp, html, cust_csv, sum_csv, art, name = sys.argv[1:7]
    sections = sys.argv[7].split(",") if len(sys.argv) > 7 else []   # trend, changes: expected
    os.makedirs(art, exist_ok=True)
    customers = rows(cust_csv)
    summary = rows(sum_csv)
    assert customers, "no customers in the CSV"
    raw = open(html, encoding="utf-8").read()

    # -- the file itself ------------------------------------------------------------------
    assert 'http-equiv="Content-Security-Policy"' in raw, "no CSP meta tag"
    csp = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', raw)
    assert csp and "default-src 'none'" in csp.group(1) and "connect-src 'none'" in csp.group(1), csp
    for m in re.finditer(r'\b(src|href|action|srcset|poster|data)\s*=\s*"?(https?:)?//', raw, re.I):
        raise AssertionError("a fetchable reference: %r" % raw[m.start():m.start() + 80])
    data_m = re.search(r'<script type="application/json" id="palscope-data">(.*?)</script>', raw, re.S)
    assert data_m, "no palscope-data script"
    assert "<" not in data_m.group(1), "a raw '<' in the embedded JSON"
    model = json.loads(data_m.group(1))
    cols, mrows = model["customers"]["columns"], model["customers"]["rows"]   # packed: columns + rows
    mcust = [dict(zip(cols, r)) for r in mrows]
    assert len(mcust) == len(customers), (len(mcust), len(customers))
    assert [c["tenant_id"] for c in mcust] == [c["tenant_id"] for c in customers], "model rows not in CSV order"
    for m, c in zip(mcust, customers):
        assert m["customer_name"] == unguard(c["customer_name"]), (m["customer_name"], c["customer_name"])
        assert m["status"] == c["status"] and (m["reason_code"] or "") == c["reason_code"], (m, c)
        assert money(m["usage"]) == money(c["usage"]), (m["usage"], c["usage"])
    for h in HOSTILE:   # every hostile name is in the data (the fixture worked)
        assert any(c["customer_name"] == h for c in mcust), h

    url = "file://" + os.path.abspath(html)
    with cdp.Browser(tmp) as b:
        p = b.new_page()
        p.load(url)
        b.pump(0.5)
        check_dom(p, customers, summary)
        for sec in ("trend", "changes"):
            present = p.eval("!!document.querySelector('section#%s')" % sec)
            assert present == (sec in sections), (sec, present, sections)
        assert p.eval("!document.getElementById('filters').hidden"), "the script did not show the filters"
        check_hostile(p)
        check_filters(p, customers)
        check_sort(p)
        check_details_and_reasons(p, customers)
        p.eval("window.scrollTo(0, 0)")
        p.screenshot(os.path.join(art, name + "-report.png"))
        pdf = p.pdf(os.path.join(art, name + "-report.pdf"))
        pages = cdp.pdf_page_count(pdf)
        assert pages >= 1, "PDF without pages"
        b.pump(0.3)
        assert p.console == [], p.console
        assert p.exceptions == [], p.exceptions
        assert p.log == [], p.log
        assert p.dialogs == [], p.dialogs
        assert p.requests == [url], p.requests
        print("ok - JS on: %d customers, filter, sort, details, reasons, PDF %d pages, no console/network"
              % (len(customers), pages))

        off = b.new_page(scripts=False)
        off.load(url)
        b.pump(0.3)
        check_dom(off, customers, summary)
        check_hostile(off)
        assert off.eval("document.getElementById('filters').hidden"), "filters shown without JavaScript"
        hidden = off.eval("document.querySelectorAll('#customers tbody tr.customer[hidden]').length")
        assert hidden == 0, "rows hidden with JavaScript off: %d" % hidden
        off.screenshot(os.path.join(art, name + "-report-nojs.png"))
        assert off.console == [] and off.exceptions == [] and off.log == [], (off.console, off.log)
        assert off.requests == [url], off.requests
        print("ok - JS off: every row and figure")


def figure(p, sel):
    return p.eval("(() => { const e = document.querySelector(%s); return e ? "
                  "{text: e.textContent.trim(), value: e.getAttribute('data-value')} : null; })()"
                  % json.dumps(sel))


def check_dom(p, customers, summary):
    # the page keeps the window's width: wide tables scroll in their own region
    sw, iw = p.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, "the page is %d px wide in a %d px window" % (sw, iw)
    assert p.eval("[...document.querySelectorAll('table.data, #customers')]"
                  ".every(t => t.parentElement.matches('div.scroll[role=region][tabindex]'))"), \
        "a wide table outside a scroll region"
    # headline: counts by status, amounts per currency from report summary
    by_status = {}
    for c in customers:
        by_status[c["status"]] = by_status.get(c["status"], 0) + 1
    for fig, want in (("customers", len(customers)), ("customers_counted", by_status.get("ATTRIBUTED", 0)),
                      ("customers_missing", by_status.get("MISSING", 0)),
                      ("customers_unknown", by_status.get("UNKNOWN", 0))):
        f = figure(p, '#headline [data-figure="%s"]' % fig)
        assert f is not None, "no headline figure " + fig
        assert f["text"] == "{:,}".format(want), (fig, f, want)
    checked = 0
    for section, fig in (("attributed", "attributed_usage"), ("missing", "usage_at_stake"), ("usage", "usage")):
        for r in (r for r in summary if r["section"] == section and r["currency"]):
            f = figure(p, '#headline [data-figure="%s"][data-currency="%s"]' % (fig, r["currency"]))
            assert f is not None, "no headline %s for %s" % (fig, r["currency"])
            assert money(f["value"]) == money(r["amount"]), (fig, r["currency"], f, r["amount"])
            assert f["text"] == "{:,.2f}".format(float(r["amount"])), (fig, r["currency"], f["text"], r["amount"])
            checked += 1
    assert checked >= 3, "no money rows in the summary"

    # one row per customer, in any order, with its status, reason, name and usage
    got = p.eval("[...document.querySelectorAll('#customers tbody tr.customer')].map(r => ({"
                 "id: r.id, tenant: r.cells[1].textContent, status: r.dataset.status, reason: r.dataset.reason,"
                 "usage: r.dataset.usage, name: r.cells[0].textContent, header: r.cells[0].tagName,"
                 "text: r.textContent}))")
    assert len(got) == len(customers), (len(got), len(customers))
    by_tenant = {g["tenant"]: g for g in got}
    assert len(by_tenant) == len(got), "a tenant has two rows"
    for c in customers:
        g = by_tenant.get(c["tenant_id"])
        assert g is not None, "no row for " + c["tenant_id"]
        assert g["id"] == "c-" + c["tenant_id"], g["id"]
        assert g["header"] == "TH", (g["id"], "first cell is not the row header")
        assert g["status"] == c["status"], (c["tenant_id"], g["status"], c["status"])
        assert (g["reason"] or "") == c["reason_code"], (c["tenant_id"], g["reason"], c["reason_code"])
        assert g["name"] == unguard(c["customer_name"]), (g["name"], c["customer_name"])
        assert unguard(c["customer_name"]) in g["text"], (c["tenant_id"], "name not shown")
        want = money(c["usage"])
        assert money(g["usage"]) == want or (want is None and money(g["usage"]) in (None, 0.0)), \
            (c["tenant_id"], g["usage"], c["usage"])

    # funnel: the six steps in order; the first is every customer, the last the counted ones
    steps = p.eval("[...document.querySelectorAll('#funnel svg g[data-step]')].map(g => "
                   "[g.dataset.step, Number(g.dataset.customers)])")
    assert [s for s, _ in steps] == FUNNEL, steps
    assert steps[0][1] == len(customers), (steps, len(customers))
    assert steps[-1][1] == by_status.get("ATTRIBUTED", 0), steps
    assert p.eval("!!document.querySelector('#funnel svg[role=img][aria-labelledby]')"), "funnel svg a11y"

    # actions: per actor (partner, customer, none), biggest usage at stake first
    lists = p.eval("[...document.querySelectorAll('#actions ol.actions')].map(o => [o.dataset.actor,"
                   " [...o.querySelectorAll('li')].map(l => [l.dataset.actor, l.dataset.usage])])")
    actors = [a for a, _ in lists]
    assert actors and actors == [a for a in ("partner", "customer", "none") if a in actors], actors
    for actor, items in lists:
        assert items and all(a == actor for a, _ in items), (actor, items)
        usage = [float(u) if u else -1.0 for _, u in items]
        assert usage == sorted(usage, reverse=True), (actor, usage)
    # reasons: one bar per blocking code with usage at stake
    bars = p.eval("[...document.querySelectorAll('#reasons a[data-reason]')].map(a => "
                  "[a.dataset.reason, a.getAttribute('href')])")
    assert bars, "no reason bars"
    for code, href in bars:
        assert href == "#reason-" + code, (code, href)
        assert p.eval("!!document.getElementById(%s)" % json.dumps("reason-" + code)), "no #reason-" + code
    missing_codes = {c["reason_code"] for c in customers if c["status"] == "MISSING"}
    assert missing_codes <= {c for c, _ in bars}, (missing_codes, bars)
    # under each code's heading, the customers whose reason_code it is
    for code in {c for c, _ in bars}:
        listed = p.eval("(() => { const h = document.getElementById(%s); let e = h.nextElementSibling;"
                        " while (e && e.tagName !== 'UL') e = e.nextElementSibling;"
                        " return e ? [...e.querySelectorAll('a')].map(a => a.getAttribute('href')) : null; })()"
                        % json.dumps("reason-" + code))
        want = sorted("#c-" + c["tenant_id"] for c in customers if c["reason_code"] == code)
        assert listed is not None and sorted(listed) == want, (code, listed, want)


def check_hostile(p):
    texts = p.eval("[...document.querySelectorAll('#customers tbody tr.customer')].map(r => r.cells[0].textContent)")
    for h in HOSTILE:
        assert h in texts, "hostile name not shown literally: " + h
        # the visible cell holds the text itself
        assert p.eval("[...document.querySelectorAll('#customers tbody tr.customer')].some(r => "
                      "[...r.cells].some(td => td.textContent.includes(%s)))" % json.dumps(h)), h
    # none of their markup is alive: only palscope's two scripts, no img, no on* attribute,
    # no link to the formula's address
    scripts = p.eval("[...document.scripts].map(s => s.type + '#' + s.id)")
    assert scripts.count("application/json#palscope-data") == 1, scripts
    assert len(scripts) == 2, scripts
    assert p.eval("document.querySelectorAll('img').length") == 0
    onattr = p.eval("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
                    ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))")
    assert onattr == [], onattr
    assert p.eval("document.querySelectorAll('a[href*=\"evil.example\"]').length") == 0


def visible(p):
    return p.eval("[...document.querySelectorAll('#customers tbody tr.customer')]"
                  ".filter(r => !r.hidden).map(r => r.id.slice(2))")


def count_text(p):
    return p.eval("document.getElementById('filter-count').textContent.trim()")


def check_filters(p, customers):
    n = len(customers)
    hostile = [c["tenant_id"] for c in customers if unguard(c["customer_name"]) == HOSTILE[0]]
    p.type_text("#filter-text", "ALERT(1)")                    # name, case-insensitive
    p.wait_for("document.getElementById('filter-count').textContent.trim().startsWith('1 ')")
    assert visible(p) == hostile, (visible(p), hostile)
    assert count_text(p) == "1 of %d customers" % n, count_text(p)
    tid = customers[0]["tenant_id"]
    p.type_text("#filter-text", tid[:8].upper())               # tenant id, case-insensitive
    want = [c["tenant_id"] for c in customers
            if tid[:8] in c["tenant_id"] or tid[:8].lower() in unguard(c["customer_name"]).lower()]
    assert sorted(visible(p)) == sorted(want), (visible(p), want)
    p.type_text("#filter-text", "")
    assert len(visible(p)) == n, visible(p)
    assert count_text(p) == "%d of %d customers" % (n, n), count_text(p)

    p.select("#filter-status", "MISSING")
    want = sorted(c["tenant_id"] for c in customers if c["status"] == "MISSING")
    assert sorted(visible(p)) == want, (visible(p), want)
    assert count_text(p) == "%d of %d customers" % (len(want), n), count_text(p)
    p.select("#filter-status", "")

    codes = sorted({c["reason_code"] for c in customers if c["reason_code"]})
    for code in codes[:3]:
        p.select("#filter-reason", code)
        want = sorted(c["tenant_id"] for c in customers if c["reason_code"] == code)
        assert sorted(visible(p)) == want, (code, visible(p), want)
    p.select("#filter-reason", "")
    assert len(visible(p)) == n


def check_sort(p):
    def column(key):
        expr = {"tenantId": "r.id.slice(2)", "name": "r.cells[0].textContent"}.get(key, "r.dataset." + key)
        return p.eval("[...document.querySelectorAll('#customers tbody tr.customer')].map(r => %s)" % expr)

    def aria(key):
        return p.eval("document.querySelector('#customers th[data-key=%s]').getAttribute('aria-sort')" % key)

    keys = p.eval("[...document.querySelectorAll('#customers thead th[data-key]')].map(t => t.dataset.key)")
    assert "usage" in keys and "customer_name" in keys, keys
    # as the CSV: tenant_id order, marked on its header
    assert [k for k in keys if aria(k) != "none"] == ["tenant_id"] and aria("tenant_id") == "ascending", \
        [(k, aria(k)) for k in keys]
    before = column("tenantId")
    assert before == sorted(before), before
    p.click('#customers th[data-key="usage"] button')
    first = aria("usage")
    assert first in ("ascending", "descending"), first
    u = [float(x) if x not in ("", None) else float("-inf") for x in column("usage")]
    assert u == sorted(u, reverse=(first == "descending")), (first, u)
    p.click('#customers th[data-key="usage"] button')
    second = aria("usage")
    assert {first, second} == {"ascending", "descending"}, (first, second)
    u = [float(x) if x not in ("", None) else float("-inf") for x in column("usage")]
    assert u == sorted(u, reverse=(second == "descending")), (second, u)
    p.click('#customers th[data-key="customer_name"] button')
    assert aria("usage") == "none", aria("usage")
    d = aria("customer_name")
    names = [s.casefold() for s in column("name")]
    ok = p.eval("(() => { const n = [...document.querySelectorAll('#customers tbody tr.customer')]"
                ".map(r => r.cells[0].textContent); const s = %d; return n.every((x, i) => i === 0 ||"
                " s * n[i - 1].localeCompare(x, undefined, {sensitivity: 'base'}) <= 0"
                " || s * (n[i - 1].toLowerCase() < x.toLowerCase() ? -1 : n[i - 1].toLowerCase() > x.toLowerCase() ? 1 : 0) <= 0); })()"
                % (1 if d == "ascending" else -1))
    assert ok, (d, names)
    assert sorted(column("tenantId")) == sorted(before), "sorting lost or added rows"
    # by keyboard: Tab from the name header's button reaches the next header's button, Enter sorts
    p.eval("document.querySelector('#customers th[data-key=customer_name] button').focus()")
    p.key("Tab")
    nxt = p.eval("document.activeElement.closest('th') && document.activeElement.closest('th').dataset.key")
    assert nxt and nxt != "customer_name", nxt
    p.key("Enter")
    assert aria(nxt) in ("ascending", "descending") and aria("customer_name") == "none", \
        (nxt, aria(nxt), aria("customer_name"))


def check_details_and_reasons(p, customers):
    missing = [c for c in customers if c["status"] == "MISSING"]
    c = missing[0]
    sel = "#c-%s details.why" % c["tenant_id"]
    assert p.eval("document.querySelector(%s).open" % json.dumps(sel)) is False
    closed_h = p.eval("document.querySelector(%s).getBoundingClientRect().height" % json.dumps(sel))
    p.click(sel + " > summary")
    assert p.eval("document.querySelector(%s).open" % json.dumps(sel)), "why did not open"
    open_h = p.eval("document.querySelector(%s).getBoundingClientRect().height" % json.dumps(sel))
    assert open_h > closed_h, (closed_h, open_h)
    story = p.eval("document.querySelector(%s).textContent" % json.dumps(sel))
    norm = lambda t: " ".join(t.replace("`", "").split())   # `commands` are shown as <code>
    assert norm(unguard(c["explanation"])) in norm(story), (c["explanation"], story)

    # a reason bar filters the table to its customers
    code = max({x["reason_code"] for x in missing},
               key=lambda k: sum(1 for x in customers if x["reason_code"] == k))
    p.click('#reasons a[data-reason="%s"]' % code)
    want = sorted(x["tenant_id"] for x in customers if x["reason_code"] == code)
    p.wait_for("[...document.querySelectorAll('#customers tbody tr.customer')].filter(r => !r.hidden).length === %d"
               % len(want))
    assert sorted(visible(p)) == want, (code, visible(p), want)
    p.select("#filter-reason", "")
    p.select("#filter-status", "")
    p.type_text("#filter-text", "")


if __name__ == "__main__":
    main()
