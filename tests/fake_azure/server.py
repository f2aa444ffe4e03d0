#!/usr/bin/env python3
"""Fake Azure (Entra ID token endpoint + ARM) for palscope tests.

Design
------
* One ``ThreadingHTTPServer`` (HTTP/1.1, keep-alive, bound to 127.0.0.1 only)
  serves the v2.0 token endpoint *and* the ARM endpoints palscope calls, on the
  same port.  It prints ``PORT <n>`` on stdout once it listens.
* Responses are **generated from a model** (the scenario JSON, see README.md):
  tenants, principals, groups, links, subscriptions, role assignments, role
  definitions, Lighthouse delegations and costs.  Nothing is canned; every
  request is answered by looking the caller (token ``tid``/``oid``) up in the
  model, the way ARM would.  Shapes follow the real payloads in
  ``shared/azure-examples/`` (field names, ``id`` forms, ``type`` strings,
  error bodies ``{"error":{"code","message"}}``, ``x-ms-request-id``).
* Every handler builds a ``Response`` object first and a single function writes
  it.  That makes the fault rules (429/503/expired token/malformed JSON/
  truncated body/drop/foreign nextLink/delay) easy to apply on top of a normal
  answer.
* Mutable state (Partner Admin Links changed by PUT/PATCH/DELETE) lives in
  memory behind a lock and is optionally persisted to ``--state FILE``.
* Tokens are unsigned fake JWTs (``header.payload.base64url("fakesig")``); ARM
  requests are authenticated by decoding the payload and checking ``exp``,
  ``aud`` and that (tid, oid) is a principal of the model.
* Any request the model does not know gets HTTP 599 and a log line, so a test
  that sends an unexpected request fails loudly.

Standard library only (Python 3.11).
"""

import argparse
import base64
import copy
import datetime as dt
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import users  # signed-in users: device code flow, refresh tokens (users.py beside this file)
import credentials

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

API_VERSIONS = {
    "partners": ["2018-02-01"],
    "tenants": ["2022-12-01"],
    "subscriptions": ["2022-12-01"],
    "role_assignments": ["2022-04-01"],
    "role_definitions": ["2022-04-01"],
    "lighthouse": ["2022-10-01"],
    "cost": ["2023-11-01"],
    "pim": ["2020-10-01"],
}

GRAPH_AUDIENCES = ("https://graph.microsoft.com", "https://graph.microsoft.com/",
                   "https://graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
                   "00000003-0000-0000-c000-000000000000")

# The PIM lists of Microsoft.Authorization 2020-10-01 (resource type -> scenario kind).
PIM_LISTS = {"roleeligibilityscheduleinstances": "eligible",
             "roleassignmentscheduleinstances": "active",
             "roleassignmentschedulerequests": "request"}

ARM_AUDIENCES = (
    "https://management.azure.com/",
    "https://management.azure.com",
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    # the sovereign clouds' Resource Manager (az cloud show -n AzureUSGovernment / AzureChinaCloud:
    # endpoints.resourceManager), for collect --cloud usgov|china against the fake
    "https://management.usgovcloudapi.net/",
    "https://management.usgovcloudapi.net",
    "https://management.chinacloudapi.cn/",
    "https://management.chinacloudapi.cn",
)

DEFAULT_PAGE_SIZE = 100
# Form fields never written to the request log.
SECRET_FORM_FIELDS = ("client_secret", "client_assertion", "refresh_token", "device_code", "code")
UUID_NS = uuid.UUID("6f6b2a4e-9d1c-4c55-9a57-0c1d3f1a2b3c")  # for derived ids

# Built-in role definitions (GUIDs are the real ones; permissions follow the
# published built-in role definitions, shortened where the list is very long).
BUILTIN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": {
        "roleName": "Owner",
        "description": "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        "permissions": [{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2015-02-02T21:55:09.8806423Z", "updatedOn": "2021-11-11T20:13:45.8978856Z",
    },
    "b24988ac-6180-42a0-ab88-20f7382dd24c": {
        "roleName": "Contributor",
        "description": "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        "permissions": [{"actions": ["*"], "notActions": [
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action"],
            "dataActions": [], "notDataActions": []}],
        "createdOn": "2015-02-02T21:55:09.8806423Z", "updatedOn": "2024-05-15T15:25:53.6180288Z",
    },
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": {
        "roleName": "Reader",
        "description": "View all resources, but does not allow you to make any changes.",
        "permissions": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2015-02-02T21:55:09.8806423Z", "updatedOn": "2021-11-11T20:13:47.8628684Z",
    },
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": {
        "roleName": "User Access Administrator",
        "description": "Lets you manage user access to Azure resources.",
        "permissions": [{"actions": ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2015-02-02T21:55:09.8806423Z", "updatedOn": "2021-11-11T20:13:50.6781141Z",
    },
    "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e": {
        "roleName": "Support Request Contributor",
        "description": "Lets you create and manage Support requests",
        "permissions": [{"actions": ["Microsoft.Authorization/*/read",
                                     "Microsoft.Resources/subscriptions/resourceGroups/read",
                                     "Microsoft.Support/*"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2017-06-22T22:25:37.8053068Z", "updatedOn": "2021-11-11T20:13:49.5616532Z",
    },
    "fa23ad8b-c56e-40d8-ac0c-ce449e1d2c64": {
        "roleName": "Billing Reader",
        "description": "Allows read access to billing data",
        "permissions": [{"actions": ["Microsoft.Authorization/*/read", "Microsoft.Billing/*/read",
                                     "Microsoft.Commerce/*/read", "Microsoft.Consumption/*/read",
                                     "Microsoft.Management/managementGroups/read",
                                     "Microsoft.CostManagement/*/read", "Microsoft.Support/*"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2017-04-25T02:13:38.9054151Z", "updatedOn": "2021-11-11T20:13:33.0458498Z",
    },
    "72fafb9e-0641-4937-9268-a91bfd8191a3": {
        "roleName": "Cost Management Reader",
        "description": "Can view cost data and configuration (e.g. budgets, exports)",
        "permissions": [{"actions": ["Microsoft.Consumption/*/read", "Microsoft.CostManagement/*/read",
                                     "Microsoft.Billing/billingPeriods/read",
                                     "Microsoft.Resources/subscriptions/read",
                                     "Microsoft.Resources/subscriptions/resourceGroups/read",
                                     "Microsoft.Support/*", "Microsoft.Advisor/configurations/read",
                                     "Microsoft.Advisor/recommendations/read",
                                     "Microsoft.Management/managementGroups/read",
                                     "Microsoft.Billing/billingProperty/read"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2018-03-14T16:09:22.8834827Z", "updatedOn": "2021-11-11T20:13:45.8978856Z",
    },
    "434105ed-43f6-45c7-a02f-909b2ba83430": {
        "roleName": "Cost Management Contributor",
        "description": "Can view costs and manage cost configuration (e.g. budgets, exports)",
        "permissions": [{"actions": ["Microsoft.Consumption/*", "Microsoft.CostManagement/*",
                                     "Microsoft.Billing/billingPeriods/read",
                                     "Microsoft.Resources/subscriptions/read",
                                     "Microsoft.Resources/subscriptions/resourceGroups/read",
                                     "Microsoft.Support/*", "Microsoft.Advisor/configurations/read",
                                     "Microsoft.Advisor/recommendations/read",
                                     "Microsoft.Management/managementGroups/read",
                                     "Microsoft.Billing/billingProperty/read"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2018-03-14T16:09:22.8834827Z", "updatedOn": "2021-11-11T20:13:45.8978856Z",
    },
    "43d0d8ad-25c7-4714-9337-8ba259a9fe05": {
        "roleName": "Monitoring Reader",
        "description": "Can read all monitoring data.",
        "permissions": [{"actions": ["*/read", "Microsoft.OperationalInsights/workspaces/search/action",
                                     "Microsoft.Support/*"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2016-09-21T19:19:52.4939376Z", "updatedOn": "2021-11-11T20:13:46.2853451Z",
    },
    "4a9ae827-6dc8-4573-8ac7-8239d42aa03f": {
        "roleName": "Tag Contributor",
        "description": "Lets you manage tags on entities, without providing access to the entities themselves.",
        "permissions": [{"actions": ["Microsoft.Authorization/*/read",
                                     "Microsoft.Resources/subscriptions/resourceGroups/read",
                                     "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
                                     "Microsoft.Resources/subscriptions/resources/read",
                                     "Microsoft.Resources/deployments/*",
                                     "Microsoft.Insights/alertRules/*", "Microsoft.Support/*",
                                     "Microsoft.Resources/tags/*"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2018-02-18T22:39:08.7519097Z", "updatedOn": "2021-11-11T20:13:50.3009139Z",
    },
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": {
        "roleName": "Storage Blob Data Reader",
        "description": "Allows for read access to Azure Storage blob containers and data",
        "permissions": [{"actions": ["Microsoft.Storage/storageAccounts/blobServices/containers/read",
                                     "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"],
                         "notActions": [],
                         "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
                         "notDataActions": []}],
        "createdOn": "2017-12-21T00:01:24.7972312Z", "updatedOn": "2021-11-11T20:13:50.3009139Z",
    },
    "9980e02c-c2be-4d73-94e8-173b1dc7cf3c": {
        "roleName": "Virtual Machine Contributor",
        "description": "Lets you manage virtual machines, but not access to them, and not the virtual network or storage account they're connected to.",
        "permissions": [{"actions": [
            "Microsoft.Authorization/*/read", "Microsoft.Compute/availabilitySets/*",
            "Microsoft.Compute/locations/*", "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachineScaleSets/*", "Microsoft.Compute/disks/write",
            "Microsoft.Compute/disks/read", "Microsoft.Compute/disks/delete",
            "Microsoft.DevTestLab/schedules/*", "Microsoft.Insights/alertRules/*",
            "Microsoft.Network/loadBalancers/read", "Microsoft.Network/networkInterfaces/*",
            "Microsoft.Network/networkSecurityGroups/join/action",
            "Microsoft.Network/publicIPAddresses/join/action",
            "Microsoft.Network/virtualNetworks/read",
            "Microsoft.Network/virtualNetworks/subnets/join/action",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Storage/storageAccounts/listKeys/action",
            "Microsoft.Storage/storageAccounts/read", "Microsoft.Support/*"],
            "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2015-06-02T00:18:27.3542698Z", "updatedOn": "2021-11-11T20:13:50.3009139Z",
    },
    "91c1777a-f3dc-4fae-b103-61d183457e46": {
        "roleName": "Managed Services Registration assignment Delete Role",
        "description": "Managed Services Registration Assignment Delete Role allows the managing tenant users to delete the registration assignment assigned to their tenant.",
        "permissions": [{"actions": ["Microsoft.ManagedServices/registrationAssignments/read",
                                     "Microsoft.ManagedServices/registrationAssignments/delete",
                                     "Microsoft.ManagedServices/operationStatuses/read"],
                         "notActions": [], "dataActions": [], "notDataActions": []}],
        "createdOn": "2019-10-23T22:33:33.1183469Z", "updatedOn": "2021-11-11T20:13:44.9951116Z",
    },
}


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def iso_now() -> str:
    """ARM-style timestamp with 7 fractional digits and 'Z'."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%07d" % (now.microsecond * 10) + "Z"


def arm_clock(epoch: float) -> str:
    """Format like ARM's expiry message: '8/17/2017 10:54:41 PM'."""
    t = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    hour = t.hour % 12 or 12
    return "%d/%d/%d %d:%02d:%02d %s" % (t.month, t.day, t.year, hour, t.minute, t.second,
                                         "AM" if t.hour < 12 else "PM")


def derived_guid(*parts) -> str:
    return str(uuid.uuid5(UUID_NS, "|".join(str(p) for p in parts)))


def parse_date(text: str) -> dt.date:
    """Accept 'YYYY-MM-DD' or an ISO date-time; return the date part."""
    return dt.date.fromisoformat(str(text)[:10])


def arm_error(status, code, message, headers=None):
    return Response(status, {"error": {"code": code, "message": message}}, headers=headers)


class Response:
    """A fully built HTTP response (body is JSON-serialised lazily)."""

    def __init__(self, status, body=None, headers=None, raw=None):
        self.status = status
        self.body = body            # JSON-able object, or None
        self.raw = raw              # bytes; overrides body when not None
        self.headers = dict(headers or {})

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

class Model:
    """Scenario data plus indexes; the only mutable part is ``links``."""

    def __init__(self, scenario: dict, state_file=None):
        self.lock = threading.RLock()
        self.state_file = state_file
        sc = scenario
        self.token_expires_in = int(sc.get("token_expires_in", 3599))
        ps = sc.get("page_size", {})
        if isinstance(ps, int):
            ps = {k: ps for k in ("subscriptions", "tenants", "role_assignments", "cost", "lighthouse")}
        self.page_size = ps
        self.api_versions = copy.deepcopy(API_VERSIONS)
        for k, v in sc.get("api_versions", {}).items():
            self.api_versions[k] = [v] if isinstance(v, str) else list(v)

        # Tenants, indexed by id and by domain (the token URL accepts either).
        self.tenants = {}
        self.tenant_alias = {}
        for t in sc.get("tenants", []):
            tid = t["id"].lower()
            self.tenants[tid] = t
            self.tenant_alias[tid] = tid
            for d in [t.get("defaultDomain")] + list(t.get("domains", [])):
                if d:
                    self.tenant_alias[d.lower()] = tid

        # Groups: id -> group; memberOf makes nesting (transitive closure below).
        self.groups = {g["id"].lower(): g for g in sc.get("groups", [])}

        # Principals (users and service principals).
        self.principals = {}
        self.sp_by_client = {}
        for p in sc.get("principals", []):
            oid = p["id"].lower()
            self.principals[oid] = p
            if p.get("clientId"):
                self.sp_by_client[(p["tenantId"].lower(), p["clientId"].lower())] = p

        # Certificates, federated credentials, managed identities (credentials.py).
        self.creds = credentials.Credentials(sc, self.principals)

        # Links keyed by principal object id.
        self.links = {}
        raw_links = sc.get("links", {})
        if isinstance(raw_links, list):
            raw_links = {l["principalId"]: l for l in raw_links}
        for oid, l in raw_links.items():
            self.links[oid.lower()] = dict(l)
        if state_file and os.path.exists(state_file):
            with open(state_file, encoding="utf-8") as f:
                self.links = {k.lower(): v for k, v in json.load(f).get("links", {}).items()}

        known = sc.get("partner_ids_known", [])
        self.partners_known = {}
        for k in known:
            if isinstance(k, dict):
                self.partners_known[str(k["id"])] = k.get("name", "Partner %s" % k["id"])
            else:
                self.partners_known[str(k)] = "Partner %s" % k

        # Subscriptions.
        self.subs = {}
        self.subs_order = []
        self.sub_pos = {}
        self.subs_by_tenant = {}
        self.subs_by_mg = {}
        for s in sc.get("subscriptions", []):
            sid = s["id"].lower()
            self.subs[sid] = s
            self.sub_pos.setdefault(sid, len(self.subs_order))
            self.subs_order.append(sid)
            self.subs_by_tenant.setdefault(s["tenantId"].lower(), []).append(sid)
            for mg in s.get("managementGroups", []):
                self.subs_by_mg.setdefault(mg.lower(), []).append(sid)

        # Role definitions (built-in + custom), keyed by GUID.
        self.role_defs = {}
        for guid, r in BUILTIN_ROLES.items():
            d = dict(r)
            d["type"] = "BuiltInRole"
            d["assignableScopes"] = ["/"]
            self.role_defs[guid] = d
        for r in sc.get("role_definitions", []):
            d = {"roleName": r["roleName"], "type": r.get("type", "CustomRole"),
                 "description": r.get("description", ""),
                 "assignableScopes": r.get("assignableScopes", ["/"]),
                 "permissions": r.get("permissions", []),
                 "createdOn": r.get("createdOn", "2024-01-01T00:00:00.0000000Z"),
                 "updatedOn": r.get("updatedOn", r.get("createdOn", "2024-01-01T00:00:00.0000000Z")),
                 "createdBy": r.get("createdBy"), "updatedBy": r.get("updatedBy")}
            for p in d["permissions"]:
                for key in ("actions", "notActions", "dataActions", "notDataActions"):
                    p.setdefault(key, [])
            self.role_defs[r["id"].lower()] = d

        # Role assignments, indexed by principal.
        self.assignments_by_principal = {}
        for i, a in enumerate(sc.get("role_assignments", [])):
            a = dict(a)
            a["principalId"] = a["principalId"].lower()
            a["scope"] = a.get("scope", "/")
            a.setdefault("id", derived_guid("ra", i, a["principalId"], a["roleDefinitionId"], a["scope"]))
            self.assignments_by_principal.setdefault(a["principalId"], []).append(a)

        # Lighthouse registration assignments, indexed by subscription and by
        # managing tenant.
        self.lh_by_sub = {}
        self.lh_by_managing = {}
        lh = sc.get("lighthouse", [])
        if isinstance(lh, dict):
            lh = [dict(e, subscriptionId=s) for s, lst in lh.items() for e in lst]
        for e in lh:
            sid = e["subscriptionId"].lower()
            e.setdefault("assignmentId", derived_guid("lha", sid, e.get("definitionId", "")))
            e.setdefault("definitionId", derived_guid("lhd", sid, e.get("managedByTenantId")))
            self.lh_by_sub.setdefault(sid, []).append(e)
            self.lh_by_managing.setdefault(e["managedByTenantId"].lower(), []).append(e)

        # PIM schedules (eligible / active instances, requests) and principals whose PIM
        # reads are denied.
        self.pim = []
        for i, e in enumerate(sc.get("pim", [])):
            e = dict(e)
            e["principalId"] = e["principalId"].lower()
            e.setdefault("id", derived_guid("pim", i, e["principalId"], e.get("kind"), e.get("scope")))
            self.pim.append(e)
        self.pim_denied = {x.lower() for x in sc.get("pim_denied", [])}
        self.graph_denied = {x.lower() for x in sc.get("graph_denied", [])}

        self.costs = {k.lower(): v for k, v in sc.get("costs", {}).items()}
        self.cost_cache = {}  # (sid, start, end, daily, grouped) -> aggregated rows
        self.faults = [FaultRule(r) for r in sc.get("faults", [])]
        self.users = users.UserDirectory(self, sc)

    # -- identity helpers --------------------------------------------------

    def group_closure(self, oid: str) -> set:
        """Object id plus every group it is (transitively) a member of."""
        oid = oid.lower()
        seen = {oid}
        todo = []
        p = self.principals.get(oid) or self.groups.get(oid)
        if p:
            todo.extend(g.lower() for g in p.get("groups", p.get("memberOf", [])))
        while todo:
            g = todo.pop()
            if g in seen:
                continue
            seen.add(g)
            grp = self.groups.get(g)
            if grp:
                todo.extend(x.lower() for x in grp.get("memberOf", []))
        return seen

    def principal_type(self, pid: str) -> str:
        if pid in self.groups:
            return "Group"
        p = self.principals.get(pid)
        return p.get("kind", "ServicePrincipal") if p else "Unknown"

    # -- scope logic -------------------------------------------------------

    def scope_covers_sub(self, scope: str, sid: str, principal_tenant: str) -> bool:
        """True if an assignment at ``scope`` is at/above/below subscription sid."""
        s = self.subs[sid]
        sl = scope.lower().rstrip("/")
        if sl == "":
            return s["tenantId"].lower() == principal_tenant
        m = re.fullmatch(r"/providers/microsoft\.management/managementgroups/([^/]+)", sl)
        if m:
            return m.group(1) in [x.lower() for x in s.get("managementGroups", [])]
        return sl == "/subscriptions/" + sid or sl.startswith("/subscriptions/" + sid + "/")

    def principal_tenant(self, pid: str) -> str:
        p = self.principals.get(pid) or self.groups.get(pid) or {}
        return p.get("tenantId", "").lower()

    def assignments_for(self, ids: set, sid: str):
        out = []
        for pid in ids:
            for a in self.assignments_by_principal.get(pid, []):
                if self.scope_covers_sub(a["scope"], sid, self.principal_tenant(pid)):
                    out.append(a)
        return out

    def lighthouse_access(self, ids: set, tid: str, sid: str) -> bool:
        for e in self.lh_by_sub.get(sid, []):
            if e["managedByTenantId"].lower() != tid:
                continue
            for auth in e.get("authorizations", []):
                if auth["principalId"].lower() in ids:
                    return True
        return False

    def can_see_sub(self, tid: str, oid: str, sid: str) -> bool:
        if sid not in self.subs:
            return False
        ids = self.group_closure(oid)
        if self.subs[sid]["tenantId"].lower() == tid and self.assignments_for(ids, sid):
            return True
        return self.lighthouse_access(ids, tid, sid)

    def visible_subs(self, tid: str, oid: str):
        ids = self.group_closure(oid)
        found = set()
        for pid in ids:
            for a in self.assignments_by_principal.get(pid, []):
                sl = a["scope"].lower().rstrip("/")
                if sl == "":
                    cand = self.subs_by_tenant.get(self.principal_tenant(pid), [])
                elif sl.startswith("/providers/microsoft.management/managementgroups/"):
                    cand = self.subs_by_mg.get(sl.split("/")[-1], [])
                else:
                    m = re.match(r"/subscriptions/([^/]+)", sl)
                    cand = [m.group(1)] if m and m.group(1) in self.subs else []
                found.update(c for c in cand if self.subs[c]["tenantId"].lower() == tid)
        for e in self.lh_by_managing.get(tid, []):
            if any(a["principalId"].lower() in ids for a in e.get("authorizations", [])):
                found.add(e["subscriptionId"].lower())
        return sorted(found, key=self.sub_pos.__getitem__)  # scenario order, O(found)

    # -- links persistence -------------------------------------------------

    def save_state(self):
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"links": self.links}, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_file)


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

class FaultRule:
    """One rule of the scenario's ``faults`` list (see README)."""

    def __init__(self, rule: dict):
        self.method = rule.get("method")
        self.path_re = re.compile(rule.get("path_regex", ".*"))
        self.query_re = re.compile(rule["query_regex"]) if "query_regex" in rule else None
        self.tenant = rule.get("tenant")
        self.times = int(rule.get("times", 1))
        self.skip = int(rule.get("skip", 0))
        self.action = rule.get("action", {})
        self.seen = 0
        self.applied = 0

    def matches(self, method, path, query, tenant_ids):
        if self.method and self.method.upper() != method:
            return False
        if not self.path_re.search(path):
            return False
        if self.query_re and not self.query_re.search(query):
            return False
        if self.tenant and self.tenant.lower() not in tenant_ids:
            return False
        return True


def pick_fault(model: Model, method, path, query, tenant_ids):
    """Return the action of the first rule that fires for this request."""
    with model.lock:
        for r in model.faults:
            if not r.matches(method, path, query, tenant_ids):
                continue
            r.seen += 1
            if r.seen <= r.skip:
                continue
            if r.times != -1 and r.applied >= r.times:
                continue
            r.applied += 1
            return r.action
    return None


# ---------------------------------------------------------------------------
# HTTP handler
# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-azure/1.0"
    # TCP_NODELAY: without it, a response written as headers + body segments can
    # wait for the client's delayed ACK (~40 ms on Linux) under Nagle.
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version
    timeout = 120  # idle keep-alive connections are closed after this

    # The server object carries: model, latency_ms, log_file, log_lock, scheme.

    def setup(self):
        ctx = getattr(self.server, "ssl_context", None)
        if ctx is not None:
            # Handshake in the worker thread, not in the accept loop.
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):  # silence default stderr logging
        pass

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):  # not used by palscope: answered with 599 like any unknown request
        self.dispatch()

    def do_OPTIONS(self):
        self.dispatch()

    # -- request plumbing --------------------------------------------------

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def base_url(self) -> str:
        return "%s://127.0.0.1:%d" % (self.server.scheme, self.server.server_address[1])

    def dispatch(self):
        model = self.server.model
        url = urllib.parse.urlsplit(self.path)
        self.req_path = url.path
        self.req_query = url.query
        self.qs = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        self.body = self.read_body()
        self.claims = None      # decoded token payload (validated or not)
        self.auth_ok = False
        self.log_tenant = None
        self.log_oid = None
        is_token = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/(token|devicecode)", url.path) is not None
        if url.path.startswith("/_fake/"):  # test-only routes (never on the real service)
            return self.test_route()
        is_mi = url.path in ("/metadata/identity/oauth2/token", "/msi/token")
        oidc = re.fullmatch(r"/([^/]+)/v2\.0/\.well-known/openid-configuration", url.path)

        # Tenant(s) for fault matching: token URL tenant, or the ARM token's tid.
        tenant_ids = set()
        if (is_token or oidc) and not is_mi:
            t = url.path.split("/")[1].lower()
            self.log_tenant = model.tenant_alias.get(t, t)
        else:
            self.claims = self.peek_claims()
            if self.claims:
                self.log_tenant = str(self.claims.get("tid", "")).lower() or None
                self.log_oid = str(self.claims.get("oid", "")).lower() or None
        if self.log_tenant:
            tenant_ids = {self.log_tenant}
            ten = model.tenants.get(self.log_tenant, {})
            for d in [ten.get("defaultDomain")] + list(ten.get("domains", [])):
                if d:
                    tenant_ids.add(d.lower())

        action = pick_fault(model, self.command, url.path, url.query, tenant_ids) or {}
        fault_name = ",".join(sorted(action.keys())) if action else None

        if self.server.latency_ms:
            time.sleep(self.server.latency_ms / 1000.0)
        if action.get("delay_ms"):
            time.sleep(float(action["delay_ms"]) / 1000.0)

        if action.get("drop"):
            return self.drop_connection(fault_name)

        try:
            if "status" in action:
                resp = self.fault_status(action)
            elif action.get("expire_token"):
                exp = float(self.claims.get("exp", time.time() - 60)) if self.claims else time.time() - 60
                resp = self.expired(min(exp, time.time() - 1))
            elif is_mi:
                resp = self.handle_managed_identity()
            elif oidc:
                resp = self.handle_openid_configuration(oidc.group(1))
            elif is_token:
                resp = self.handle_token()
            else:
                resp = self.route()
        except Exception as e:  # a bug in the fake must not look like Azure
            resp = arm_error(599, "FakeServerError", "fake server exception: %r" % (e,))

        if action.get("malformed_json") and resp.status < 300:
            text = resp.payload() or b'{"value":[]}'
            resp = Response(200, raw=text[: max(1, len(text) // 2)] + b"\x00,]{", headers=resp.headers)
        if action.get("foreign_next_link"):
            resp = self.foreign_next_link(resp)
        if action.get("lose_response"):  # handled (a jti is spent), then the answer is lost
            return self.drop_connection(fault_name)

        # Logged before the answer goes out: a client that acts on this answer (another request,
        # its exit) cannot get its next request logged first (t690 reads the order) or read a log
        # that does not yet hold this one.
        self.write_log(resp.status, fault_name)
        self.send(resp, truncate=bool(action.get("truncate")))

    def drop_connection(self, fault_name):
        """Close the connection without an answer (logged with no status)."""
        self.write_log(None, fault_name)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, resp: Response, truncate=False):
        body = resp.payload() if resp.status not in (204, 304) else b""
        self.send_response(resp.status, self.reason(resp.status))
        headers = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1"}
        rid = str(uuid.uuid4())
        headers["x-ms-request-id"] = rid
        headers["x-ms-correlation-request-id"] = rid
        headers["x-ms-routing-request-id"] = "WESTEUROPE:%s:%s" % (
            dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), rid)
        if body or resp.raw is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers.update(resp.headers)
        for k, v in headers.items():
            self.send_header(k, str(v))
        if resp.status != 204:
            declared = len(body) + (max(64, len(body)) if truncate else 0)
            self.send_header("Content-Length", str(declared))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Headers and body in one write (one segment, one syscall); same bytes.
        self._headers_buffer.append(b"\r\n")
        if body and self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()
        self.wfile.flush()
        if truncate:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @staticmethod
    def reason(status):
        return {429: "Too Many Requests", 599: "Fake Azure Unexpected Request"}.get(status)

    def write_log(self, status, fault):
        if not self.server.log_file:
            return
        ctype = self.headers.get("Content-Type")
        body = None
        if self.command in ("POST", "PUT", "PATCH"):
            body = self.body.decode("utf-8", "replace")
            if re.search(r"/oauth2/v2\.0/(token|devicecode)$", self.req_path):
                pairs = urllib.parse.parse_qsl(body, keep_blank_values=True)
                pairs = [(k, "<redacted>" if k in SECRET_FORM_FIELDS else v) for k, v in pairs]
                body = urllib.parse.urlencode(pairs, safe="<>")
        rec = {"ts": round(time.time(), 3), "method": self.command, "path": self.req_path,
               "query": self.req_query, "status": status, "tenant": self.log_tenant,
               "oid": self.log_oid, "auth": self.auth_ok, "content_type": ctype, "body": body}
        if fault:
            rec["fault"] = fault
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        with self.server.log_lock:
            self.server.log_fh.write(line)
            self.server.log_fh.flush()

    # -- faults ------------------------------------------------------------

    def fault_status(self, action):
        status = int(action["status"])
        body = action.get("body")
        if body is None:
            default = {429: ("TooManyRequests", "The request is being throttled. Please retry after some time."),
                       503: ("ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
                       500: ("InternalServerError", "Encountered internal server error."),
                       502: ("BadGateway", "The gateway did not receive a response in time.")}
            code, msg = default.get(status, ("FaultInjected", "Injected fault with status %d." % status))
            body = {"error": {"code": code, "message": msg}}
        if isinstance(body, str):
            return Response(status, raw=body.encode("utf-8"), headers=action.get("headers"))
        return Response(status, body, headers=action.get("headers"))

    def foreign_next_link(self, resp: Response):
        body = resp.body
        if not isinstance(body, dict):
            return resp
        evil = "http://evil.example.invalid%s?%s" % (self.req_path, self.req_query)
        evil += ("&" if self.req_query else "") + "$skiptoken=stolen"
        holder = body["properties"] if isinstance(body.get("properties"), dict) and "rows" in body["properties"] else body
        holder["nextLink"] = evil
        resp.status = 200 if resp.status == 204 else resp.status
        return resp

    # -- authentication ----------------------------------------------------

    def peek_claims(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        parts = auth[7:].strip().split(".")
        if len(parts) != 3:
            return None
        try:
            if b64url_decode(parts[2]) != b"fakesig":
                return None
            claims = json.loads(b64url_decode(parts[1]))
            return claims if isinstance(claims, dict) else None
        except (ValueError, UnicodeDecodeError):
            return None

    def expired(self, exp):
        msg = ("The access token expiry UTC time '%s' is earlier than current UTC time '%s'."
               % (arm_clock(exp), arm_clock(time.time())))
        return arm_error(401, "ExpiredAuthenticationToken", msg, headers={
            "WWW-Authenticate": 'Bearer authorization_uri="https://login.windows.net/%s", '
                                'error="invalid_token", error_description="The access token expiry UTC time '
                                'is earlier than current UTC time."' % (self.log_tenant or "common")})

    def authenticate(self, graph=False):
        """Return (tid, oid) or an error Response (graph: a Microsoft Graph token)."""
        c = self.claims
        invalid = arm_error(401, "InvalidAuthenticationToken", "The access token is invalid.", headers={
            "WWW-Authenticate": 'Bearer authorization_uri="https://login.windows.net/common", '
                                'error="invalid_token", error_description="The access token is invalid."'})
        if not self.headers.get("Authorization"):
            return arm_error(401, "InvalidAuthenticationToken",
                             "The access token is invalid. The 'Authorization' header is missing.",
                             headers=invalid.headers)
        if not c or not all(k in c for k in ("tid", "oid", "exp", "aud")):
            return invalid
        if graph:
            if c["aud"] not in GRAPH_AUDIENCES or float(c["exp"]) < time.time():
                return Response(401, {"error": {"code": "InvalidAuthenticationToken",
                                                "message": "Access token validation failure. Invalid audience.",
                                                "innerError": self.graph_inner()}})
            return self.known_principal(c, invalid)
        if c["aud"] not in ARM_AUDIENCES:
            return arm_error(401, "InvalidAuthenticationToken",
                             "The access token has been obtained for wrong audience or resource '%s'. "
                             "It should exactly match with one of the allowed audiences "
                             "'https://management.core.windows.net/','https://management.core.windows.net',"
                             "'https://management.azure.com/','https://management.azure.com'." % c["aud"],
                             headers=invalid.headers)
        if float(c["exp"]) < time.time():
            return self.expired(float(c["exp"]))
        return self.known_principal(c, invalid)

    def known_principal(self, c, invalid):
        """(tid, oid) of a valid token's principal, or invalid when the model has no such one."""
        tid, oid = str(c["tid"]).lower(), str(c["oid"]).lower()
        p = self.server.model.principals.get(oid)
        if not p or p["tenantId"].lower() != tid:
            return invalid
        self.auth_ok = True
        return tid, oid

    # -- token endpoint ----------------------------------------------------

    b64url = staticmethod(b64url)

    @staticmethod
    def json_response(status, body):
        return Response(status, body)

    def test_route(self):
        """Test-only routes: what a person does in the browser, and inspection."""
        dirs = self.server.model.users
        try:
            body = json.loads(self.body.decode("utf-8") or "{}")
        except ValueError:
            body = {}
        routes = {"/_fake/devicecode/approve": lambda b: dirs.approve(b),
                  "/_fake/devicecode/decline": lambda b: dirs.approve(b, decline=True),
                  "/_fake/devicecode/forget": dirs.forget,
                  "/_fake/refresh_tokens/invalidate": dirs.invalidate,
                  "/_fake/refresh_tokens/info": dirs.token_info}
        fn = routes.get(self.req_path)
        status, out = fn(body) if fn and self.command == "POST" else (404, {"error": "no such test route"})
        self.send(Response(status, out))
        if self.server.log_file:  # the path only: bodies of test routes may hold tokens
            rec = {"ts": round(time.time(), 3), "method": self.command, "path": self.req_path,
                   "status": status, "test_route": True}
            with self.server.log_lock:
                self.server.log_fh.write(json.dumps(rec) + "\n")
                self.server.log_fh.flush()

    def aad_error(self, status, error, code, text):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return Response(status, {
            "error": error,
            "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s"
                                 % (code, text, trace, corr, now),
            "error_codes": [code], "timestamp": now, "trace_id": trace, "correlation_id": corr,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % code})

    def handle_openid_configuration(self, tenant_in):
        """GET /{tenant}/v2.0/.well-known/openid-configuration, no authentication: the OpenID
        Connect discovery document of a tenant given by GUID or by any of its domains. Shape:
        Entra ID's v2.0 document as published for the common endpoint (panva/wellknown
        issuers/entra-common/entra-common.mjs), with the tenant's GUID where that one has
        "common" or "{tenantid}", as a tenant's own document has it. An unknown tenant is
        400 invalid_tenant AADSTS90002, the AAD error shape of the token endpoint."""
        model = self.server.model
        if self.command != "GET":
            return self.unexpected()
        tid = model.tenant_alias.get(urllib.parse.unquote(tenant_in).lower())
        if not tid:
            return self.aad_error(400, "invalid_tenant", 90002,
                                  "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
                                  "are signing into the correct cloud. Check with your subscription "
                                  "administrator, this may happen if there are no active subscriptions for "
                                  "the tenant." % urllib.parse.unquote(tenant_in))
        base = self.base_url() + "/" + tid
        return Response(200, {
            "token_endpoint": base + "/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "jwks_uri": base + "/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": "%s/%s/v2.0" % (self.base_url(), tid),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": base + "/oauth2/v2.0/authorize",
            "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": base + "/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                 "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat",
                                 "auth_time", "acr", "nonce", "preferred_username", "name", "tid",
                                 "ver", "at_hash", "c_hash", "email"],
            "kerberos_endpoint": base + "/kerberos",
            "tenant_region_scope": model.tenants.get(tid, {}).get("tenantRegionScope", "NA"),
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net"})

    def handle_token(self):
        model = self.server.model
        if self.command != "POST":
            return self.unexpected()
        tenant_in = self.req_path.split("/")[1].lower()
        form = dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):  # RFC 6749 client_secret_basic
            try:
                cid, _, sec = base64.b64decode(basic[6:]).decode().partition(":")
                form.setdefault("client_id", urllib.parse.unquote_plus(cid))
                form.setdefault("client_secret", urllib.parse.unquote_plus(sec))
            except ValueError:
                pass
        tid = model.tenant_alias.get(tenant_in)
        if not tid and tenant_in not in ("organizations", "common"):
            return self.aad_error(400, "invalid_request", 90002,
                                  "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
                                  "are signing into the correct cloud. Check with your subscription "
                                  "administrator, this may happen if there are no active subscriptions for "
                                  "the tenant." % tenant_in)
        if self.req_path.endswith("/devicecode"):
            return model.users.handle_devicecode(self, tid if tenant_in not in ("organizations", "common") else tenant_in)
        if form.get("grant_type") == users.DEVICE_GRANT:
            return model.users.poll_device_code(self, tid if tenant_in not in ("organizations", "common") else tenant_in, form)
        if form.get("grant_type") == "refresh_token":
            return model.users.redeem(self, tid if tenant_in not in ("organizations", "common") else tenant_in, form)
        if form.get("grant_type") != "client_credentials" or not tid:
            return self.aad_error(400, "unsupported_grant_type", 70003,
                                  "The app requested an unsupported grant type '%s'." % form.get("grant_type", ""))
        scope = form.get("scope", "")
        resource = scope[: -len(".default")] if scope.endswith("/.default") else None
        graph = resource in GRAPH_AUDIENCES
        if resource not in ARM_AUDIENCES and resource not in ("https://management.core.windows.net//",) \
                and not graph:
            return self.aad_error(400, "invalid_scope", 70011,
                                  "The provided value for the input parameter 'scope' is not valid. "
                                  "The scope %s is not valid." % scope)
        cid = form.get("client_id", "").lower()
        p = model.sp_by_client.get((tid, cid))
        if not p:
            return self.aad_error(400, "unauthorized_client", 700016,
                                  "Application with identifier '%s' was not found in the directory '%s'. "
                                  "This can happen if the application has not been installed by the "
                                  "administrator of the tenant or consented to by any user in the tenant. "
                                  "You may have sent your authentication request to the wrong tenant."
                                  % (form.get("client_id", ""), model.tenants[tid].get("displayName", tid)))
        if p.get("disabled"):  # the service principal's accountEnabled is false
            return self.aad_error(400, "unauthorized_client", 7000112,
                                  "Application '%s'(%s) is disabled." % (p["clientId"], p.get("displayName", "")))
        if "client_secret" not in form and "client_assertion" not in form:
            return self.aad_error(401, "invalid_client", 7000216,
                                  "'client_assertion', 'client_secret' or 'request' is required for the "
                                  "'client_credentials' grant type.")
        if "client_assertion" in form:
            base = self.base_url()
            endpoints = {"%s/%s/oauth2/v2.0/token" % (base, t) for t in (tenant_in, tid)}
            try:
                model.creds.check_assertion(p, form, endpoints)
            except credentials.Reject as r:
                return self.aad_error(r.status, r.error, r.code, r.text)
        elif form.get("client_secret") != p.get("clientSecret"):
            return self.aad_error(401, "invalid_client", 7000215,
                                  "Invalid client secret provided. Ensure the secret being sent in the request "
                                  "is the client secret value, not the client secret ID, for a secret added to "
                                  "app '%s'." % p["clientId"])
        elif p.get("secretExpired"):  # the right value, past its endDateTime
            return self.aad_error(401, "invalid_client", 7000222,
                                  "The provided client secret keys for app '%s' are expired. Visit the Azure "
                                  "portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
                                  "consider using certificate credentials for added security: "
                                  "https://aka.ms/certCreds." % p["clientId"])
        return self.issue_token(p, tid, resource)

    def issue_token(self, p, tid, resource, style="v2"):
        """A fake JWT for principal p in tenant tid; the v2.0 endpoint's or IMDS's body."""
        model = self.server.model
        now = int(time.time())
        aud = "https://management.core.windows.net/" if "core.windows.net" in resource else "https://management.azure.com/"
        if "usgovcloudapi.net" in resource or "chinacloudapi.cn" in resource:
            aud = resource.rstrip("/") + "/"
        if resource in GRAPH_AUDIENCES:
            aud = "https://graph.microsoft.com"
        tid = str(p.get("token_tid") or tid).lower()  # a token for another tenant (tests)
        claims = {"aud": aud, "iss": "https://sts.windows.net/%s/" % tid, "iat": now, "nbf": now,
                  "exp": now + model.token_expires_in, "aio": "fake", "appid": p["clientId"],
                  "appidacr": "1", "idp": "https://sts.windows.net/%s/" % tid, "idtyp": "app",
                  "oid": p["id"].lower(), "rh": "fake", "sub": p["id"].lower(), "tid": tid,
                  "uti": b64url(uuid.uuid4().bytes), "ver": "1.0"}
        header = {"typ": "JWT", "alg": "RS256", "x5t": "fake-key", "kid": "fake-key"}
        token = ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()),
                          b64url(b"fakesig")])
        self.auth_ok = True
        self.log_oid = p["id"].lower()
        # Managed identity answers (credentials.py routes). Sources: IMDS, Microsoft's "How to use
        # managed identities for Azure resources on an Azure VM to acquire an access token"
        # (learn.microsoft.com .../how-to-use-vm-token, as azure-identity's ImdsCredential,
        # _credentials/imds.py, reads it); App Service, "How to use managed identities for App
        # Service and Azure Functions" (REST protocol, api-version 2019-08-01, as Azure.Identity's
        # AppServiceV2019ManagedIdentitySource asks: X-IDENTITY-HEADER, client_id).
        if style == "imds":  # learn.microsoft.com .../how-to-use-vm-token: numbers as strings
            return Response(200, {"access_token": token, "client_id": p["clientId"],
                                  "expires_in": str(model.token_expires_in),
                                  "expires_on": str(now + model.token_expires_in),
                                  "ext_expires_in": str(model.token_expires_in), "not_before": str(now),
                                  "resource": resource if resource.endswith("/") else resource + "/",
                                  "token_type": "Bearer"})
        if style == "appservice":  # App Service 2019-08-01: expires_on (epoch string), no expires_in
            return Response(200, {"access_token": token, "expires_on": str(now + model.token_expires_in),
                                  "resource": resource, "token_type": "Bearer",
                                  "client_id": p["clientId"]})
        return Response(200, {"token_type": "Bearer", "expires_in": model.token_expires_in,
                              "ext_expires_in": model.token_expires_in, "access_token": token})

    def handle_managed_identity(self):
        model = self.server.model
        if self.command != "GET":
            return self.unexpected()
        try:
            p, resource, style = model.creds.managed_identity(self.req_path, self.req_query, self.headers)
        except credentials.MiError as e:
            return Response(e.status, e.body)
        self.log_tenant = p["tenantId"].lower()
        if resource not in ARM_AUDIENCES and resource not in GRAPH_AUDIENCES:
            return self.aad_error(400, "invalid_resource", 500011,
                                  "The resource principal named %s was not found in the tenant named %s."
                                  % (resource, p["tenantId"]))
        return self.issue_token(p, p["tenantId"].lower(), resource.rstrip("/") + "/", style)

    # -- ARM routing -------------------------------------------------------

    def unexpected(self):
        return arm_error(599, "FakeAzureUnexpectedRequest",
                         "The fake Azure server has no handler for %s %s" % (self.command, self.path))

    def check_api(self, family):
        allowed = self.server.model.api_versions[family]
        v = self.qs.get("api-version")
        if v is None:
            return arm_error(400, "MissingApiVersionParameter",
                             "The api-version query parameter (?api-version=) is required for all requests.")
        if v not in allowed:
            return arm_error(400, "InvalidApiVersionParameter",
                             "The api-version '%s' is invalid. The supported versions are '%s'."
                             % (v, ",".join(allowed)))
        return None

    ROUTES = [
        ("GET", r"/providers/Microsoft\.ManagementPartner/partners", "partners", "partner_current"),
        ("*", r"/providers/Microsoft\.ManagementPartner/partners/([^/]+)", "partners", "partner_by_id"),
        ("GET", r"/tenants", "tenants", "tenants"),
        ("GET", r"/subscriptions", "subscriptions", "subscriptions"),
        ("GET", r"/subscriptions/([^/]+)/providers/Microsoft\.Authorization/roleAssignments",
         "role_assignments", "role_assignments"),
        ("GET", r"(/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)",
         "role_definitions", "role_definition"),
        ("GET", r"/subscriptions/([^/]+)/providers/Microsoft\.ManagedServices/registrationAssignments",
         "lighthouse", "lighthouse"),
        ("POST", r"/subscriptions/([^/]+)/providers/Microsoft\.CostManagement/query", "cost", "cost"),
        ("GET", r"/subscriptions/([^/]+)/providers/Microsoft\.Authorization/(roleEligibilityScheduleInstances"
                r"|roleAssignmentScheduleInstances|roleAssignmentScheduleRequests)", "pim", "pim"),
    ]

    GRAPH_ROUTES = [
        ("POST", r"/v1\.0/(servicePrincipals|users|directoryObjects)/([^/]+)/checkMemberGroups",
         "check_member_groups"),
    ]

    def route(self):
        path = self.req_path.rstrip("/") or "/"
        for method, pattern, name in self.GRAPH_ROUTES:
            m = re.fullmatch(pattern, path, flags=re.IGNORECASE)
            if m and method == self.command:
                who = self.authenticate(graph=True)
                if isinstance(who, Response):
                    return who
                return getattr(self, "h_" + name)(who[0], who[1], *m.groups())
        for method, pattern, family, name in self.ROUTES:
            m = re.fullmatch(pattern, path, flags=re.IGNORECASE)
            if not m:
                continue
            if method != "*" and method != self.command:
                continue
            if method == "*" and self.command not in ("GET", "PUT", "PATCH", "DELETE"):
                continue
            who = self.authenticate()
            if isinstance(who, Response):
                return who
            err = self.check_api(family)
            if err:
                return err
            return getattr(self, "h_" + name)(who[0], who[1], *[g for g in m.groups()])
        return self.unexpected()

    def page(self, items, family, base_path):
        """Slice ``items`` by $skiptoken; return (slice, nextLink or None)."""
        size = int(self.server.model.page_size.get(family, DEFAULT_PAGE_SIZE))
        try:
            start = int(self.qs.get("$skiptoken", self.qs.get("$skipToken", "0")))
        except ValueError:
            start = 0
        chunk = items[start:start + size]
        if start + size >= len(items):
            return chunk, None
        q = [(k, v) for k, v in urllib.parse.parse_qsl(self.req_query, keep_blank_values=True)
             if k.lower() != "$skiptoken"]
        q.append(("$skiptoken", str(start + size)))
        return chunk, "%s%s?%s" % (self.base_url(), base_path,
                                   urllib.parse.urlencode(q, quote_via=urllib.parse.quote, safe="$'()"))

    # -- Microsoft.ManagementPartner ---------------------------------------

    def partner_body(self, link, with_id: bool):
        v = int(link.get("version", 1))
        props = {"partnerId": str(link["partnerId"])}
        if link.get("partnerName") is not None:
            props["partnerName"] = link["partnerName"]
        props.update({"tenantId": link["tenantId"], "objectId": link["objectId"], "version": v,
                      "updatedTime": link.get("updatedTime", link.get("createdTime")),
                      "createdTime": link.get("createdTime"), "state": link.get("state", "Active")})
        pid = str(link["partnerId"])
        return {"id": "/providers/microsoft.managementpartner/partners" + ("/" + pid if with_id else ""),
                "type": "Microsoft.ManagementPartner/partners", "name": pid, "etag": v,
                "properties": props}

    def get_link(self, tid, oid):
        link = self.server.model.links.get(oid)
        if link is None:
            return None
        link.setdefault("tenantId", tid)
        link.setdefault("objectId", oid)
        return link

    def not_linked(self, tid, oid, pid=None):
        if pid:
            msg = ("No partner association found for partner ID '%s' for tenant '%s' and object '%s'."
                   % (pid, tid, oid))
        else:
            msg = "No partner association found for tenant '%s' and object '%s'." % (tid, oid)
        return arm_error(404, "NotFound", msg)

    def h_partner_current(self, tid, oid):
        with self.server.model.lock:
            link = self.get_link(tid, oid)
            if link is None:
                return self.not_linked(tid, oid)
            return Response(200, self.partner_body(link, with_id=False),
                            headers={"x-ms-ratelimit-remaining-tenant-reads": "11999"})

    def h_partner_by_id(self, tid, oid, pid):
        model = self.server.model
        writes = {"x-ms-ratelimit-remaining-tenant-writes": "1199"}
        with model.lock:
            link = self.get_link(tid, oid)
            linked_here = link is not None and str(link["partnerId"]) == pid
            if self.command == "GET":
                if not linked_here:
                    return self.not_linked(tid, oid, pid)
                return Response(200, self.partner_body(link, True),
                                headers={"x-ms-ratelimit-remaining-tenant-reads": "11999"})
            if self.command == "DELETE":
                if not linked_here:
                    return self.not_linked(tid, oid, pid)
                del model.links[oid]
                model.save_state()
                return Response(200, None, headers=writes)
            if pid not in model.partners_known:
                return arm_error(400, "BadRequest",
                                 "We don't have a record for this partner ID '%s'. Please check the "
                                 "partner ID (use the Associated PartnerID / location MPN ID) and try "
                                 "again." % pid)
            now = iso_now()
            if self.command == "PUT":
                if link is not None and link.get("state", "Active") == "Active":
                    return arm_error(409, "Conflict",
                                     "Partner '%s' is already linked for tenant '%s' and object '%s'. "
                                     "Use update (PATCH) to change the partner ID."
                                     % (link["partnerId"], tid, oid))
                link = {"partnerId": pid, "partnerName": model.partners_known[pid], "tenantId": tid,
                        "objectId": oid, "version": 1, "createdTime": now, "updatedTime": now,
                        "state": "Active"}
                model.links[oid] = link
                model.save_state()
                return Response(200, self.partner_body(link, True), headers=writes)
            # PATCH
            if link is None:
                return self.not_linked(tid, oid, pid)
            link.update({"partnerId": pid, "partnerName": model.partners_known[pid],
                         "version": int(link.get("version", 1)) + 1, "updatedTime": now,
                         "state": "Active"})
            model.save_state()
            return Response(200, self.partner_body(link, True), headers=writes)

    # -- Microsoft.Resources -----------------------------------------------

    def tenant_body(self, t, category):
        body = {"id": "/tenants/" + t["id"], "tenantId": t["id"],
                "countryCode": t.get("countryCode", "US"), "displayName": t.get("displayName", ""),
                "domains": t.get("domains", [t["defaultDomain"]] if t.get("defaultDomain") else []),
                "tenantCategory": category, "defaultDomain": t.get("defaultDomain", "")}
        if category == "Home":
            body["tenantType"] = t.get("tenantType", "AAD")
        return body

    def h_tenants(self, tid, oid):
        model = self.server.model
        out = [self.tenant_body(model.tenants[tid], "Home")] if tid in model.tenants else []
        others = []
        for sid in model.visible_subs(tid, oid):
            home = model.subs[sid]["tenantId"].lower()
            if home != tid and home not in others and home in model.tenants:
                others.append(home)
        if model.principals.get(oid, {}).get("kind") == "User":
            # A user's account: every directory it is a member or guest of.
            out += [self.tenant_body(model.tenants[t], "Home") for t in model.users.tenants_of(oid)
                    if t != tid and t in model.tenants]
        out += [self.tenant_body(model.tenants[t], "ManagedBy") for t in others]
        chunk, nxt = self.page(out, "tenants", "/tenants")
        body = {"value": chunk}
        if nxt:
            body["nextLink"] = nxt
        return Response(200, body, headers={"x-ms-ratelimit-remaining-tenant-reads": "11999"})

    def sub_body(self, sid):
        model = self.server.model
        s = model.subs[sid]
        managed = [t.lower() for t in s.get("managedByTenants", [])]
        for e in model.lh_by_sub.get(sid, []):
            if e["managedByTenantId"].lower() not in managed:
                managed.append(e["managedByTenantId"].lower())
        body = {"id": "/subscriptions/" + s["id"], "subscriptionId": s["id"], "tenantId": s["tenantId"],
                "displayName": s.get("displayName", s["id"]), "state": s.get("state", "Enabled"),
                "subscriptionPolicies": {"locationPlacementId": s.get("locationPlacementId", "Public_2014-09-01"),
                                         "quotaId": s.get("quotaId", "PayAsYouGo_2014-09-01"),
                                         "spendingLimit": s.get("spendingLimit", "Off")},
                "authorizationSource": s.get("authorizationSource", "RoleBased"),
                "managedByTenants": [{"tenantId": t} for t in managed]}
        if s.get("tags"):
            body["tags"] = s["tags"]
        return body

    def h_subscriptions(self, tid, oid):
        subs = self.server.model.visible_subs(tid, oid)
        chunk, nxt = self.page(subs, "subscriptions", "/subscriptions")
        body = {"value": [self.sub_body(s) for s in chunk]}
        if nxt:
            body["nextLink"] = nxt
        return Response(200, body, headers={"x-ms-ratelimit-remaining-tenant-reads": "11999"})

    # -- Microsoft.Authorization -------------------------------------------

    def forbidden(self, oid, action, scope):
        p = self.server.model.principals.get(oid, {})
        who = p.get("clientId") or p.get("userPrincipalName") or oid
        return arm_error(403, "AuthorizationFailed",
                         "The client '%s' with object id '%s' does not have authorization to perform action "
                         "'%s' over scope '%s' or the scope is invalid. If access was recently granted, "
                         "please refresh your credentials." % (who, oid, action, scope))

    def h_role_assignments(self, tid, oid, sid):
        model = self.server.model
        sid = sid.lower()
        if not model.can_see_sub(tid, oid, sid):
            return self.forbidden(oid, "Microsoft.Authorization/roleAssignments/read", "/subscriptions/" + sid)
        flt = self.qs.get("$filter", "").strip()
        m_to = re.fullmatch(r"assignedTo\('([^']+)'\)", flt)
        m_pid = re.fullmatch(r"principalId\s+eq\s+'([^']+)'", flt)
        if m_to:
            ids = model.group_closure(m_to.group(1))
        elif m_pid:
            ids = {m_pid.group(1).lower()}
        elif flt == "":
            ids = set(model.assignments_by_principal.keys())
        else:
            return arm_error(400, "InvalidFilterInQueryString",
                             "The filter '%s' is not supported by the fake server." % flt)
        items = model.assignments_for(ids, sid)
        items.sort(key=lambda a: (a.get("createdOn", ""), a["id"]))
        chunk, nxt = self.page(items, "role_assignments", self.req_path)
        canon = model.subs[sid]["id"]
        value = []
        for a in chunk:
            scope = a["scope"].rstrip("/")
            created = a.get("createdOn", "2024-01-01T00:00:00.0000000Z")
            value.append({
                "properties": {
                    "roleDefinitionId": "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"
                                        % (canon, a["roleDefinitionId"]),
                    "principalId": a["principalId"],
                    "principalType": a.get("principalType") or model.principal_type(a["principalId"]),
                    "scope": scope or "/",
                    "condition": a.get("condition"), "conditionVersion": a.get("conditionVersion"),
                    "createdOn": created, "updatedOn": a.get("updatedOn", created),
                    "createdBy": a.get("createdBy"), "updatedBy": a.get("updatedBy", a.get("createdBy")),
                    "delegatedManagedIdentityResourceId": None, "description": a.get("description")},
                "id": "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (scope, a["id"]),
                "type": "Microsoft.Authorization/roleAssignments", "name": a["id"]})
        body = {"value": value}
        if nxt:
            body["nextLink"] = nxt
        return Response(200, body, headers={"x-ms-ratelimit-remaining-subscription-reads": "11999"})

    def h_role_definition(self, tid, oid, sub_prefix, guid):
        d = self.server.model.role_defs.get(guid.lower())
        if d is None:
            return arm_error(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' "
                             "does not exist." % guid)
        props = {"roleName": d["roleName"], "type": d["type"], "description": d["description"],
                 "assignableScopes": d["assignableScopes"], "permissions": d["permissions"],
                 "createdOn": d["createdOn"], "updatedOn": d["updatedOn"],
                 "createdBy": d.get("createdBy"), "updatedBy": d.get("updatedBy")}
        return Response(200, {"properties": props,
                              "id": "%s/providers/Microsoft.Authorization/roleDefinitions/%s"
                                    % (sub_prefix or "", guid.lower()),
                              "type": "Microsoft.Authorization/roleDefinitions", "name": guid.lower()})

    # -- Microsoft.ManagedServices -----------------------------------------

    def h_lighthouse(self, tid, oid, sid):
        model = self.server.model
        sid = sid.lower()
        if not model.can_see_sub(tid, oid, sid):
            return self.forbidden(oid, "Microsoft.ManagedServices/registrationAssignments/read",
                                  "/subscriptions/" + sid)
        expand = self.qs.get("$expandRegistrationDefinition", "false").lower() == "true"
        entries = model.lh_by_sub.get(sid, [])
        flt = self.qs.get("$filter", "")
        m = re.search(r"managedByTenantId\s+eq\s+'([^']+)'", flt)
        if m:
            entries = [e for e in entries if e["managedByTenantId"].lower() == m.group(1).lower()]
        chunk, nxt = self.page(entries, "lighthouse", self.req_path)
        canon = model.subs[sid]["id"]
        value = []
        for e in chunk:
            created = e.get("createdAt", "2025-01-01T00:00:00.0000000Z")
            sysdata = {"createdBy": e.get("createdBy", "admin@customer.example"),
                       "createdByType": "User", "createdAt": created,
                       "lastModifiedBy": e.get("createdBy", "admin@customer.example"),
                       "lastModifiedByType": "User", "lastModifiedAt": e.get("lastModifiedAt", created)}
            def_id = "/subscriptions/%s/providers/Microsoft.ManagedServices/registrationDefinitions/%s" % (
                canon, e["definitionId"])
            props = {"registrationDefinitionId": def_id, "provisioningState": e.get("provisioningState", "Succeeded")}
            if expand:
                home = model.tenants.get(model.subs[sid]["tenantId"].lower(), {})
                mgr = model.tenants.get(e["managedByTenantId"].lower(), {})
                dprops = {"description": e.get("description", ""),
                          "registrationDefinitionName": e.get("registrationDefinitionName", "Managed services"),
                          "authorizations": e.get("authorizations", []),
                          "eligibleAuthorizations": e.get("eligibleAuthorizations", []),
                          "provisioningState": "Succeeded",
                          "manageeTenantId": e.get("manageeTenantId", model.subs[sid]["tenantId"]),
                          "manageeTenantName": e.get("manageeTenantName", home.get("displayName", "")),
                          "managedByTenantId": e["managedByTenantId"],
                          "managedByTenantName": e.get("managedByTenantName", mgr.get("displayName", ""))}
                rdef = {"properties": dprops}
                if e.get("plan"):
                    rdef["plan"] = e["plan"]
                rdef.update({"id": def_id, "type": "Microsoft.ManagedServices/registrationDefinitions",
                             "name": e["definitionId"], "systemData": sysdata})
                props["registrationDefinition"] = rdef
            value.append({"properties": props,
                          "id": "/subscriptions/%s/providers/Microsoft.ManagedServices/registrationAssignments/%s"
                                % (canon, e["assignmentId"]),
                          "type": "Microsoft.ManagedServices/registrationAssignments",
                          "name": e["assignmentId"], "systemData": sysdata})
        body = {"value": value}
        if nxt:
            body["nextLink"] = nxt
        return Response(200, body, headers={"x-ms-ratelimit-remaining-subscription-reads": "11999"})

    # -- Microsoft.Authorization PIM (2020-10-01) ----------------------------

    def h_pim(self, tid, oid, sid, rtype):
        """roleEligibilityScheduleInstances / roleAssignmentScheduleInstances /
        roleAssignmentScheduleRequests at a subscription, shaped as the spec examples
        (GetRoleEligibilityScheduleInstancesByScope.json, ...)."""
        model = self.server.model
        sid = sid.lower()
        kind = PIM_LISTS[rtype.lower()]
        if not model.can_see_sub(tid, oid, sid) or oid in model.pim_denied or sid in model.pim_denied:
            return self.forbidden(oid, "Microsoft.Authorization/%s/read" % rtype, "/subscriptions/" + sid)
        flt = self.qs.get("$filter", "").strip()
        m_to = re.fullmatch(r"assignedTo\('([^']+)'\)", flt, re.IGNORECASE)
        if m_to:
            ids = model.group_closure(m_to.group(1))
        elif flt.lower() == "astarget()":
            ids = model.group_closure(oid)
        else:
            return arm_error(400, "InvalidFilterInQueryString",
                             "The filter '%s' is not supported by the fake server." % flt)
        canon = model.subs[sid]["id"]
        items = [e for e in model.pim if e.get("kind") == kind and e["principalId"] in ids
                 and model.scope_covers_sub(e["scope"], sid, model.principal_tenant(e["principalId"]))]
        chunk, nxt = self.page(items, "pim", self.req_path)
        value = []
        type_name = {"eligible": "RoleEligibilityScheduleInstances",
                     "active": "RoleAssignmentScheduleInstances",
                     "request": "RoleAssignmentScheduleRequests"}[kind]
        for e in chunk:
            scope = e["scope"].rstrip("/") or "/"
            role = model.role_defs.get(e["roleDefinitionId"].lower(), {})
            rdid = "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (
                canon, e["roleDefinitionId"])
            created = e.get("createdOn", e.get("startDateTime", "2025-01-01T00:00:00Z"))
            ptype = e.get("principalType") or model.principal_type(e["principalId"])
            expanded = {"scope": {"id": scope, "displayName": model.subs[sid].get("displayName", ""),
                                  "type": "subscription" if scope.count("/") == 2 else "resourcegroup"},
                        "roleDefinition": {"id": rdid, "displayName": role.get("roleName", ""),
                                           "type": role.get("type", "BuiltInRole")},
                        "principal": {"id": e["principalId"],
                                      "displayName": (model.principals.get(e["principalId"]) or
                                                      model.groups.get(e["principalId"]) or {}).get("displayName", ""),
                                      "type": ptype}}
            props = {"scope": scope, "roleDefinitionId": rdid, "principalId": e["principalId"],
                     "principalType": ptype, "status": e.get("status", "Provisioned")}
            elig = e.get("eligibilityScheduleId", derived_guid("pimsched", e.get("linkedEligibility", e["id"])))
            if kind == "eligible":
                props.update({
                    "roleEligibilityScheduleId": "%s/providers/Microsoft.Authorization/RoleEligibilitySchedules/%s"
                                                 % (scope, derived_guid("pimsched", e["id"])),
                    "startDateTime": e.get("startDateTime"), "endDateTime": e.get("endDateTime"),
                    "memberType": e.get("memberType", "Direct"), "createdOn": created})
            elif kind == "active":
                props.update({
                    "originRoleAssignmentId": "%s/providers/Microsoft.Authorization/roleAssignments/%s"
                                              % (scope, derived_guid("pimra", e["id"])),
                    "linkedRoleEligibilityScheduleId": elig if e.get("assignmentType") == "Activated" else None,
                    "linkedRoleEligibilityScheduleInstanceId": e.get("linkedEligibility"),
                    "assignmentType": e.get("assignmentType", "Assigned"),
                    "roleAssignmentScheduleId": "%s/providers/Microsoft.Authorization/RoleAssignmentSchedules/%s"
                                                % (scope, derived_guid("pimras", e["id"])),
                    "startDateTime": e.get("startDateTime"), "endDateTime": e.get("endDateTime"),
                    "memberType": e.get("memberType", "Direct"), "createdOn": created})
            else:
                exp = {"type": "NoExpiration", "endDateTime": None, "duration": None}
                if e.get("duration"):
                    exp = {"type": "AfterDuration", "endDateTime": None, "duration": e["duration"]}
                elif e.get("endDateTime"):
                    exp = {"type": "AfterDateTime", "endDateTime": e["endDateTime"], "duration": None}
                props.update({
                    "targetRoleAssignmentScheduleId": derived_guid("pimras", e["id"]),
                    "targetRoleAssignmentScheduleInstanceId": None,
                    "requestType": e.get("requestType", "SelfActivate"), "approvalId": None,
                    "scheduleInfo": {"startDateTime": e.get("startDateTime"), "expiration": exp},
                    "linkedRoleEligibilityScheduleId": elig if e.get("linkedEligibility") else None,
                    "ticketInfo": {"ticketNumber": None, "ticketSystem": None}, "justification": None,
                    "requestorId": e["principalId"], "createdOn": created})
            props.update({"condition": None, "conditionVersion": None, "expandedProperties": expanded})
            value.append({"properties": props, "name": e["id"],
                          "id": "%s/providers/Microsoft.Authorization/%s/%s" % (scope, type_name, e["id"]),
                          "type": "Microsoft.Authorization/" + type_name})
        body = {"value": value}
        if nxt:
            body["nextLink"] = nxt
        return Response(200, body)

    # -- Microsoft Graph -----------------------------------------------------

    @staticmethod
    def graph_inner():
        return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}

    def h_check_member_groups(self, tid, oid, collection, obj_id):
        """POST /v1.0/{servicePrincipals|users|directoryObjects}/{id}/checkMemberGroups
        (directoryobject-checkmembergroups.md): the asked group ids the object is a
        transitive member of."""
        model = self.server.model
        if oid in model.graph_denied:
            return Response(403, {"error": {"code": "Authorization_RequestDenied",
                                            "message": "Insufficient privileges to complete the operation.",
                                            "innerError": self.graph_inner()}})
        try:
            ids = json.loads(self.body.decode("utf-8"))["groupIds"]
            if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
                raise ValueError("groupIds is not a list of strings")
        except (ValueError, KeyError, TypeError) as e:
            return Response(400, {"error": {"code": "Request_BadRequest", "message": str(e),
                                            "innerError": self.graph_inner()}})
        if len(ids) > 20:
            return Response(400, {"error": {"code": "Request_BadRequest",
                                            "message": "The number of groups in the request exceeds the limit of 20.",
                                            "innerError": self.graph_inner()}})
        obj_id = obj_id.lower()
        if obj_id not in model.principals:
            return Response(404, {"error": {"code": "Request_ResourceNotFound",
                                            "message": "Resource '%s' does not exist or one of its queried "
                                                       "reference-property objects are not present." % obj_id,
                                            "innerError": self.graph_inner()}})
        closure = model.group_closure(obj_id)
        member = [g for g in ids if g.lower() in closure and g.lower() != obj_id]
        return Response(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
                              "value": member})

    # -- Microsoft.CostManagement ------------------------------------------

    @staticmethod
    def rg_of(resource_id):
        m = re.match(r"/subscriptions/[^/]+/resourceGroups/([^/]+)", resource_id or "", re.IGNORECASE)
        return m.group(1) if m else ""

    def cost_rows(self, sid, start: dt.date, end: dt.date):
        """(date, resourceGroup, cost, currency, resourceId) for the model's costs in [start, end]."""
        spec = self.server.model.costs.get(sid)
        if not spec:
            return []
        rows = []

        def explicit(r, cur):
            d = parse_date(r["date"])
            if start <= d <= end:
                rid = r.get("resourceId", "")
                rows.append((d, r.get("resourceGroup", self.rg_of(rid)), float(r["cost"]),
                             r.get("currency", cur), rid))

        if isinstance(spec, dict):
            cur = spec.get("currency", "USD")
            lo = max(start, parse_date(spec["from"])) if spec.get("from") else start
            hi = min(end, parse_date(spec["to"])) if spec.get("to") else end
            day = lo
            while day <= hi:
                for rg, amount in spec.get("daily", {}).items():
                    rows.append((day, rg, float(amount), cur, ""))
                for rid, amount in spec.get("daily_resources", {}).items():
                    rows.append((day, self.rg_of(rid), float(amount), cur, rid))
                day += dt.timedelta(days=1)
            for r in spec.get("rows", []):  # explicit rows may be mixed in
                explicit(r, cur)
        else:
            for r in spec:
                explicit(r, "USD")
        return rows

    def cost_table(self, sid, start, end, daily, group):
        """Aggregated result rows (before paging) for one subscription and query shape.
        group: None, "rg" (ResourceGroup[Name]) or "rid" (ResourceId, lower case as Cost
        Management returns it)."""
        sums = {}
        for d, rg, cost, cur, rid in self.cost_rows(sid, start, end):
            label = rg if group == "rg" else rid.lower() if group == "rid" else None
            key = (d if daily else None, label.lower() if label is not None else None, cur)
            if key not in sums:
                sums[key] = [0.0, label]
            sums[key][0] += cost
        keys = sorted(sums, key=lambda k: (k[0] or dt.date.min, k[1] or "", k[2]))
        rows = []
        for k in keys:
            row = [round(sums[k][0], 8)]
            if group:
                row.append(sums[k][1])
            if daily:
                row.append(k[0].year * 10000 + k[0].month * 100 + k[0].day)
            row.append(k[2])
            rows.append(row)
        return rows

    def h_cost(self, tid, oid, sid):
        model = self.server.model
        sid = sid.lower()
        ctype = self.headers.get("Content-Type", "")
        if not ctype.lower().startswith("application/json"):
            return arm_error(415, "UnsupportedMediaType",
                             "The content media type '%s' is not supported. Only 'application/json' is "
                             "supported." % ctype)
        if not model.can_see_sub(tid, oid, sid):
            return arm_error(403, "RBACAccessDenied",
                             "The client does not have authorization to perform action. "
                             "(Request ID: %s)" % uuid.uuid4())
        s = model.subs[sid]
        status = s.get("cost", "ok")
        if status == "forbidden":
            return arm_error(403, "RBACAccessDenied",
                             "The client does not have authorization to perform action. "
                             "(Request ID: %s)" % uuid.uuid4())
        if status == "unsupported":
            return arm_error(400, "400",
                             "Cost Management supports only Enterprise Agreement, Web direct and Microsoft "
                             "Customer Agreement offer types. offerId: %s is associated with offerType: None "
                             "(Request ID: %s)" % (s.get("offerId", "MS-AZR-0036P"), uuid.uuid4()))
        try:
            q = json.loads(self.body.decode("utf-8"))
            period = self.cost_period(q)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return arm_error(400, "BadRequest", "Invalid query definition: %s" % e)
        if isinstance(period, Response):
            return period
        start, end = period
        ds = q.get("dataset", {})
        daily = ds.get("granularity", "None") == "Daily"
        agg = ds.get("aggregation") or {"PreTaxCost": {"name": "PreTaxCost", "function": "Sum"}}
        alias = next(iter(agg))
        groups = [g.get("name") for g in ds.get("grouping", [])]
        rg_col = next((g for g in groups if g in ("ResourceGroupName", "ResourceGroup", "ResourceId")), None)
        group = None if rg_col is None else "rid" if rg_col == "ResourceId" else "rg"
        if status == "none":
            return Response(204)
        # The costs are read-only: cache the aggregated rows per query shape.
        ckey = (sid, start, end, daily, group)
        rows = model.cost_cache.get(ckey)
        if rows is None:
            rows = model.cost_cache[ckey] = self.cost_table(sid, start, end, daily, group)
        if not rows:
            return Response(204)
        chunk, nxt = self.page(rows, "cost", self.req_path)
        cols = [{"name": alias, "type": "Number"}]
        if rg_col:
            cols.append({"name": rg_col, "type": "String"})
        if daily:
            cols.append({"name": "UsageDate", "type": "Number"})
        cols.append({"name": "Currency", "type": "String"})
        qid = derived_guid("costq", sid, start, end)
        return Response(200, {
            "id": "/subscriptions/%s/providers/Microsoft.CostManagement/Query/%s" % (s["id"], qid),
            "name": qid, "type": "microsoft.costmanagement/Query", "location": None, "sku": None,
            "eTag": None, "properties": {"nextLink": nxt, "columns": cols, "rows": chunk}},
            headers={"x-ms-ratelimit-microsoft.costmanagement-qpu-consumed": "1",
                     "x-ms-ratelimit-microsoft.costmanagement-qpu-remaining": "QueriesPerTenant:11"})

    @staticmethod
    def cost_period(q):
        if q.get("type") not in ("Usage", "ActualCost", "AmortizedCost"):
            return arm_error(400, "BadRequest", "Invalid query type '%s'." % q.get("type"))
        tf = q.get("timeframe")
        today = dt.datetime.now(dt.timezone.utc).date()
        first = today.replace(day=1)
        if tf == "Custom":
            tp = q["timePeriod"]
            start, end = parse_date(tp["from"]), parse_date(tp["to"])
            if end < start:
                return arm_error(400, "BadRequest", "Invalid time period: 'to' is before 'from'.")
            return start, end
        if tf in ("MonthToDate", "BillingMonthToDate"):
            return first, today
        if tf in ("TheLastMonth", "TheLastBillingMonth"):
            last = first - dt.timedelta(days=1)
            return last.replace(day=1), last
        if tf == "WeekToDate":
            return today - dt.timedelta(days=today.weekday()), today
        return arm_error(400, "BadRequest", "Invalid timeframe '%s'." % tf)


# ---------------------------------------------------------------------------
# Server bootstrap
# ---------------------------------------------------------------------------

class FakeAzureServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients closing connections mid-request are normal in fault tests.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Azure token + ARM endpoint for palscope tests")
    ap.add_argument("--scenario", required=True, help="scenario JSON file (see README.md)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)")
    ap.add_argument("--latency-ms", type=float, default=0, help="sleep before every response")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--tls-cert", help="PEM certificate: serve https")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--state", help="persist Partner Admin Link changes to this JSON file")
    args = ap.parse_args(argv)

    with open(args.scenario, encoding="utf-8") as f:
        scenario = json.load(f)
    model = Model(scenario, state_file=args.state)
    model.save_state()  # so tests can read the initial links from --state right away

    srv = FakeAzureServer(("127.0.0.1", args.port), Handler)
    srv.model = model
    srv.latency_ms = args.latency_ms
    srv.log_file = args.log
    srv.log_lock = threading.Lock()
    srv.log_fh = open(args.log, "a", encoding="utf-8") if args.log else None
    srv.ssl_context = None
    srv.scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.ssl_context = ctx
        srv.scheme = "https"

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
