#!/usr/bin/env python3
"""The demo partner (tests/fake_azure/scenarios/demo.json, made by make_demo.py) with hostile
customer names, for the browser tests of the HTML report: a report must show every text from
Azure literally. Azure allows these: a tenant's displayName is free text (GET /tenants,
TenantIdDescription.displayName in the Microsoft.Resources subscriptions spec), and so is an
identity's label in the accounts file.

    make_hostile.py DEMO.json DEMO-accounts.csv OUT.json OUT-accounts.csv

Tenant 10 (Lucerne Publishing, ATTRIBUTED) becomes <script>alert(1)</script>, tenant 11 (Trey
Research, MISSING) a spreadsheet formula with a link, tenant 7 (Wide World Importers, MISSING)
a name that breaks out of a quoted attribute."""

import csv
import json
import sys

HOSTILE = {
    "a0000010-0000-4000-8000-000000000000": "<script>alert(1)</script>",
    "a0000011-0000-4000-8000-000000000000": '=HYPERLINK("https://evil.example/x","Click me")',
    "a0000007-0000-4000-8000-000000000000": '"><img src=x onerror=alert(2)> Wide \'World\' & Co',
}

src, src_acc, out, out_acc = sys.argv[1:5]
with open(src, encoding="utf-8") as f:
    sc = json.load(f)
for t in sc["tenants"]:
    if t["id"] in HOSTILE:
        t["displayName"] = HOSTILE[t["id"]]
with open(out, "w", encoding="utf-8") as f:
    json.dump(sc, f, ensure_ascii=False, indent=1)
with open(src_acc, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
with open(out_acc, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for r in rows:
        if r["tenant_id"] in HOSTILE:
            r["label"] = HOSTILE[r["tenant_id"]]
        w.writerow(r)
