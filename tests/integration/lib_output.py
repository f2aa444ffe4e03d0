"""The formats of one command's output against its CSV (tests/integration/t760, t761).

usage: lib_output.py BASE [--table]
BASE.csv is the command's -o csv, BASE.json its -o json, BASE.tsv its -o tsv; with --table,
BASE.table (-o table, no width limit) must be the CSV's cells padded by display width and
BASE.table.60 (-o table at COLUMNS=60) fit 60 columns, cut cells ending in "…", every
backticked command of the CSV whole on one line.
"""
import csv, json, sys, unicodedata
base = sys.argv[1]
table = "--table" in sys.argv[2:]
commands = set()
with open(base + ".csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
head, body = rows[0], rows[1:]
def unguard(v):  # the CSV's formula guard is for spreadsheets only
    return v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v
# json
doc = json.load(open(base + ".json", encoding="utf-8"))
assert isinstance(doc, list) and len(doc) == len(body), "json: %d objects, csv %d rows" % (len(doc), len(body))
numeric = set()
for obj, row in zip(doc, body):
    assert list(obj.keys()) == head, "json keys %r != header %r" % (list(obj.keys()), head)
    for k, v in zip(head, row):
        j = obj[k]
        if isinstance(j, bool):
            raise AssertionError("json %s: boolean" % k)
        if isinstance(j, (int, float)) or j is None:
            numeric.add(k)
            if j is None:
                assert v == "", "json %s null, csv %r" % (k, v)
            else:
                assert v != "" and abs(float(v) - j) < 1e-9, "json %s %r, csv %r" % (k, j, v)
        else:
            assert j == unguard(v), "json %s %r, csv %r" % (k, j, v)
# every money/int column holds a number in json, never a string
for obj in doc:
    for k in numeric:
        assert obj[k] is None or isinstance(obj[k], (int, float)), "json %s mixed types" % k
# tsv
def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]]); i += 2
        else:
            out.append(s[i]); i += 1
    return "".join(out)
lines = open(base + ".tsv", encoding="utf-8", newline="").read().split("\n")
assert lines[-1] == "", "tsv: no final newline"
lines = lines[:-1]
assert len(lines) == len(body), "tsv: %d lines, csv %d rows" % (len(lines), len(body))
for line, row in zip(lines, body):
    fields = line.split("\t")
    assert len(fields) == len(head), "tsv: %d fields, header %d" % (len(fields), len(head))
    assert [unescape(x) for x in fields] == [unguard(v) for v in row], "tsv %r != csv %r" % (fields, row)
if table:
    # table, no width limit: the cells padded by display width, two spaces apart
    def width(s):
        return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    cells = [head] + [[unguard(v).replace("\t", " ").replace("\r", " ") for v in r] for r in body]
    wrapcol = [any("`" in r[i] or (" " in r[i] and len(r[i].encode()) > 40) for r in cells[1:]) for i in range(len(head))]
    for r in cells:
        for i in range(len(r)):
            if not wrapcol[i]:
                r[i] = r[i].replace("\n", " ")
    w = [max(width(l) for r in cells for l in r[i].split("\n")) for i in range(len(head))]
    want = []
    for r in cells:
        parts = [c.split("\n") for c in r]
        for k in range(max(len(p) for p in parts)):
            want.append("  ".join((p[k] if k < len(p) else "") + " " * (w[i] - width(p[k] if k < len(p) else "")) for i, p in enumerate(parts)).rstrip(" "))
    got = open(base + ".table", encoding="utf-8").read().split("\n")[:-1]
    if got != want:
        for g, x in zip(got, want):
            if g != x:
                print("table line:\n got  %r\n want %r" % (g, x)); break
        raise AssertionError("table: %d lines, want %d" % (len(got), len(want)))
    # table at COLUMNS=60: nothing wider, cut cells end in the ellipsis, commands whole
    t60 = open(base + ".table.60", encoding="utf-8").read().split("\n")[:-1]
    commands = set()
    for r in body:
        for v in r:
            parts = v.split("`")
            commands.update("`%s`" % parts[i] for i in range(1, len(parts) - 1, 2))
    # the narrowest the table can be: one space apart, cut cells "x…", free text as wide as its
    # widest command (at least 8): only then may a line run over
    def widest_cmd(i):
        return max([width(c) for r in body for c in commands if c in r[i]] + [8])
    least = len(w) - 1 + sum(min(w[i], widest_cmd(i)) if wrapcol[i] else min(w[i], 2) for i in range(len(w)))
    for line in t60:
        assert width(line) <= max(60, least), "COLUMNS=60: %d columns (least %d): %r" % (width(line), least, line)
    for c in commands:
        assert any(c in line for line in t60), "command %s split across lines" % c
    if sum(w) + 2 * (len(w) - 1) > 60:
        assert any("…" in line for line in t60), "COLUMNS=60: nothing cut with an ellipsis"
    # the header names are the first line (cut with "…" where narrower)
    for h, cell in zip(head, t60[0].split()):
        assert cell == h or (cell.endswith("…") and h.startswith(cell[:-1])), "COLUMNS=60 header %r for %r" % (cell, h)

print("%s: %d rows, %d fields, %d commands" % (base.rsplit("/", 1)[1], len(body), len(head), len(commands)))