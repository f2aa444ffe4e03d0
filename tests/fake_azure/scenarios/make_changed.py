#!/usr/bin/env python3
"""Build the demo partner as it is one collection later: scenarios/demo.json changed.

`palscope diff` and `why --since` (issue 12) compare two collections. This script reads
demo.json (make_demo.py) and writes the same partner after these changes, each the way Azure
itself changes (the model answers every request as the real API does: server.py):

  Northwind Traders      the collector's partner link is deleted (DELETE .../partners/{id})
  Adventure Works        the collector is linked to 1234567 (PUT .../partners/1234567)
  Wide World Importers   the collector's link is updated from 1234568 to 1234567 (PATCH)
  Lucerne Publishing     the collector's Contributor on 'Lucerne Azure Plan (CSP)' becomes
                         Reader; 'Lucerne Finance' moves from PayAsYouGo to an MSDN offer
  Woodgrove Bank         the Lighthouse delegation of 'Woodgrove Core Banking' is removed
  Contoso Ltd            'Contoso Dev/Test' moves to Müller & Söhne's directory (a move to
                         another directory drops the old tenant's role assignments and
                         management groups; Müller's collector is given Reader there);
                         'Contoso Production' has no cost after 2026-09-30 (usage stops)
  =Formula Foods AB      the collector's client secret was rotated in Entra: the secret in the
                         accounts file now fails (AADSTS7000215)
  Litware, Inc.          'Litware Operations' is disabled; 'Litware Web' cost is no longer
                         readable (403 RBACAccessDenied)
  Müller & Söhne         the Monitoring Reader assignment on 'Müller Produktion' is removed;
                         the collector gets Support Request Contributor on 'Müller Buchhaltung'
  Contoso Ltd            the collector's Contributor on 'Contoso Data Platform' moves from
                         resource group rg-staging to the whole subscription
  Litware, Inc.          'Litware Trial' is cancelled and deleted (gone from the list)

Run:  python3 make_changed.py [OUT]   (default: demo-changed.json next to this script)
"""

import json
import os
import sys

from demo_ids import MONREADER, READER, SUPPORT, oid, sub, tid

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "demo-changed.json")
    with open(os.path.join(HERE, "demo.json"), encoding="utf-8") as fh:
        sc = json.load(fh)
    sc["_comment"] = "demo.json one collection later (make_changed.py)"
    subs = {s["id"]: s for s in sc["subscriptions"]}

    # Northwind: link deleted.
    del sc["links"][oid(4, 1)]
    # Lucerne Azure Plan (CSP): Contributor -> Reader.
    for ra in sc["role_assignments"]:
        if ra["principalId"] == oid(10, 1) and ra["scope"] == "/subscriptions/" + sub(10, 2):
            ra["roleDefinitionId"] = READER
    # Woodgrove: the delegation of Core Banking removed.
    sc["lighthouse"] = [lh for lh in sc["lighthouse"] if lh["subscriptionId"] != sub(9, 1)]
    # Contoso Dev/Test moves to Müller & Söhne's tenant.
    subs[sub(1, 2)]["tenantId"] = tid(2)
    subs[sub(1, 2)]["managementGroups"] = []
    sc["role_assignments"] = [ra for ra in sc["role_assignments"]
                              if not ra["scope"].lower().startswith("/subscriptions/" + sub(1, 2))]
    sc["role_assignments"].append({"principalId": oid(2, 1), "roleDefinitionId": READER,
                                   "scope": "/subscriptions/" + sub(1, 2),
                                   "createdOn": "2026-10-20T09:00:00.0000000Z"})
    # Formula Foods: the secret was rotated (the accounts file's one is now wrong).
    for p in sc["principals"]:
        if p["id"] == oid(3, 1):
            p["clientSecret"] = "rotated-" + p["clientSecret"]
    # Contoso Production: no cost after September.
    sc["costs"][sub(1, 1)]["to"] = "2026-09-30"
    # Litware: Operations disabled, Web cost unreadable.
    subs[sub(8, 3)]["state"] = "Disabled"
    subs[sub(8, 4)]["cost"] = "forbidden"
    # Lucerne Finance: another offer.
    subs[sub(10, 1)]["quotaId"] = "MSDN_2014-09-01"
    # Müller Produktion: Monitoring Reader removed.
    sc["role_assignments"] = [ra for ra in sc["role_assignments"]
                              if not (ra["principalId"] == oid(2, 1) and
                                      ra["roleDefinitionId"] == MONREADER)]

    # Adventure Works: linked now; Wide World Importers: link updated to the right ID.
    linked = dict(sc["links"][oid(1, 1)])
    linked["createdTime"] = linked["updatedTime"] = "2026-09-20T08:30:00.0000000Z"
    sc["links"][oid(5, 1)] = linked
    wwi = sc["links"][oid(7, 1)]
    wwi.update({"partnerId": "1234567", "partnerName": linked["partnerName"],
                "version": wwi.get("version", 1) + 1,
                "updatedTime": "2026-09-21T10:00:00.0000000Z"})
    # Müller Buchhaltung: an eligible role added.
    sc["role_assignments"].append({"principalId": oid(2, 1), "roleDefinitionId": SUPPORT,
                                   "scope": "/subscriptions/" + sub(2, 2),
                                   "createdOn": "2026-09-15T09:00:00.0000000Z"})
    # Contoso Data Platform: Contributor on the subscription instead of rg-staging.
    for ra in sc["role_assignments"]:
        if ra["principalId"] == oid(1, 1) and ra["scope"].lower().startswith(
                "/subscriptions/" + sub(1, 4) + "/resourcegroups/"):
            ra["scope"] = "/subscriptions/" + sub(1, 4)
    # Litware Trial: deleted.
    sc["subscriptions"] = [s for s in sc["subscriptions"] if s["id"] != sub(8, 2)]
    sc["role_assignments"] = [ra for ra in sc["role_assignments"]
                              if not ra["scope"].lower().startswith("/subscriptions/" + sub(8, 2))]

    with open(out, "w", encoding="utf-8") as fh:
        json.dump(sc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
