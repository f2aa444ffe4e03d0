"""The demo partner's identifiers, shared by make_demo.py and make_changed.py.

Tenant n, its subscription k, principal k, group k and application k get fixed GUIDs of these
shapes (readable in a report: 5TTKKKKK-... is subscription KKKKK of tenant TT). The role GUIDs
are Azure's built-in role definition ids (server.py BUILTIN_ROLES).
"""

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIB = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SUPPORT = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e"
MONREADER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"


def tid(n):
    return "a%07d-0000-4000-8000-000000000000" % n


def sub(t, k):
    return "5%02d%05d-0000-4000-8000-000000000000" % (t, k)


def oid(t, k):
    return "0b%02d%04d-0000-4000-8000-000000000000" % (t, k)


def gid(t, k):
    return "06%02d%04d-0000-4000-8000-000000000000" % (t, k)


def appid(t, k):
    return "c1%02d%04d-1111-4000-8000-000000000000" % (t, k)
