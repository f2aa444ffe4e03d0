#!/usr/bin/env bash
# palscope report html on the demo partner collected from the fake Azure endpoint (two periods,
# so the page has a trend and the changes since the previous run): the page read back with
# Python's html.parser and json, its figures against the CSV reports of the same database
# (customers row by row; headline sums computed in Python from the subscriptions CSV), the
# Content-Security-Policy and the script's hash, no http(s) reference, one row per customer;
# hostile tenant names shown literally; --run; errors.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/demo.db
for p in 2026-09 2026-10; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period $p
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
done
stop_server

html() { # html DB OUT [args...]: report html, stderr kept
	local db=$1 out=$2
	shift 2
	set +e
	"$PALSCOPE" report html --db "$db" --out "$out" "$@" 2>"$T/html.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/html.err"
}

html "$DB" "$T/report.html"
expect_eq "report html exit status" 0 "$RC"
[ ! -e "$T/report.html.tmp" ] || fail "temporary file left"
for r in customers subscriptions summary; do
	"$PALSCOPE" report $r --db "$DB" --out "$T/$r.csv" 2>/dev/null || fail "report $r"
done

# why_all DB: every customer's why story as one JSON array in $T/why-all.json (check.py
# compares who must act on each action with them)
why_all() {
	"$PYTHON" -c 'import csv,sys; [print(r["tenant_id"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]' \
		"$T/customers.csv" | while IFS= read -r t; do
		"$PALSCOPE" why "$t" --db "$1" -o json 2>/dev/null || fail "why $t"
	done | "$PYTHON" -c 'import json,sys; d=json.JSONDecoder(); s=sys.stdin.read(); out=[]; i=0
while True:
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    v, i = d.raw_decode(s, i); out += v
json.dump(out, sys.stdout)' >"$T/why-all.json" || fail "why stories"
}

# check.py: everything the page must hold, against the CSV reports of the same database.
cat >"$T/check.py" <<'PY'
import base64, csv, hashlib, html.parser, json, os, re, sys

page_path, d = sys.argv[1], sys.argv[2]
raw = open(page_path, encoding="utf-8").read()

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.elems, self.scripts, self.metas = [], [], [], []
        self.cur_script = None
        self.text_of = {}     # id(elem) -> text
    def handle_starttag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.elems.append(e)
        if tag == "meta":
            self.metas.append(e["attrs"])
            return
        if tag in ("input", "br", "img", "link"):
            return
        self.stack.append(e)
        if tag == "script":
            self.cur_script = e
    def handle_endtag(self, tag):
        while self.stack:
            e = self.stack.pop()
            if e["tag"] == tag:
                break
        if tag == "script" and self.cur_script is not None:
            self.scripts.append(self.cur_script)
            self.cur_script = None
    def handle_data(self, data):
        for e in self.stack:
            e["text"] += data

p = Page()
p.feed(raw)

def by(tag=None, **attrs):
    out = []
    for e in p.elems:
        if tag and e["tag"] != tag:
            continue
        if all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items()):
            out.append(e)
    return out

def has_class(e, c):
    return c in (e["attrs"].get("class") or "").split()

# --- head: charset, CSP, the one script allowed by its hash
if not any(m.get("charset") == "utf-8" for m in p.metas):
    fail("no <meta charset=utf-8>")
csp = [m["content"] for m in p.metas if m.get("http-equiv") == "Content-Security-Policy"]
if len(csp) != 1:
    fail("expected one CSP meta, got %d" % len(csp))
m = re.fullmatch(r"default-src 'none'; script-src 'sha256-([A-Za-z0-9+/=]+)'; style-src "
                 r"'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; "
                 r"base-uri 'none'", csp[0])
if not m:
    fail("CSP is %r" % csp[0])
code = [s for s in p.scripts if s["attrs"].get("type") is None]
data = [s for s in p.scripts if s["attrs"].get("type") == "application/json"]
if len(code) != 1 or len(data) != 1 or len(p.scripts) != 2:
    fail("scripts: %d executable, %d data, %d in all" % (len(code), len(data), len(p.scripts)))
js = raw[raw.index("<script>") + len("<script>"):]
js = js[:js.index("</script>")]
if base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() != m.group(1):
    fail("the script's sha256 is not the CSP's")
if any("src" in s["attrs"] for s in p.scripts):
    fail("a script with src")

# --- nothing fetched: no http(s) reference, every link an in-page anchor, no src/srcset/style url()
hostile_text = [l for l in open(d + "/hostile.txt", encoding="utf-8").read().split("\n") if l] \
    if len(sys.argv) > 3 else []
stripped = raw
for h in hostile_text:   # an Azure name with a URL in it is text, shown escaped; nothing else may be
    for form in (h, h.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                 .replace('"', "&quot;").replace("'", "&#39;"),
                 json.dumps(h)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")):
        stripped = stripped.replace(form, "")
if re.search(r"https?://", stripped):
    fail("an http(s) reference: %r" % re.search(r".{0,60}https?://.{0,60}", stripped).group(0))
for e in p.elems:
    for k, v in e["attrs"].items():
        if k in ("href", "xlink:href") and not (v or "").startswith("#"):
            fail("link to %r" % v)
        if k in ("src", "srcset", "action", "formaction", "background", "poster"):
            fail("<%s %s=%r>" % (e["tag"], k, v))
if re.search(r"url\(|@import", raw):
    fail("a CSS url() or @import")

# --- the model: '<' escaped, and its customers are the customers report
jtext = raw[raw.index('id="palscope-data">') + len('id="palscope-data">'):]
jtext = jtext[:jtext.index("</script>")]
if "<" in jtext:
    fail("a raw '<' in the JSON block")
model = json.loads(jtext)
if model.get("schema") != 1:
    fail("schema %r" % model.get("schema"))
# customers and actions are packed: {"columns": [...], "rows": [[...], ...]}
def unpack(p):
    return [dict(zip(p["columns"], r)) for r in p["rows"]] if isinstance(p, dict) else p
model["customers"] = unpack(model["customers"])
model["actions"] = unpack(model["actions"])
for c in model["customers"]:
    c["why"] = [dict(zip(model["subscription_columns"], s)) for s in c["why"]]

def rows(name):
    with open("%s/%s.csv" % (d, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))

def guard(s):       # the CSV's formula guard (report_csv.h)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s

def unguard(s):     # for a name: the CSV cell back to the text
    return s[1:] if s[:1] == "'" and s[1:2] in ("=", "+", "-", "@", "\t", "\r") else s

cust = rows("customers")
MONEY = {"attributed_usage", "usage", "missing_usage"}
INTS = {"subscriptions", "attributed_subscriptions"}
if len(model["customers"]) != len(cust):
    fail("model has %d customers, the CSV %d" % (len(model["customers"]), len(cust)))
for mc, cc in zip(model["customers"], cust):
    for k, v in cc.items():
        got = mc.get(k, "<absent>")
        if k in MONEY:
            want = None if v == "" else float(v)
            ok = (got is None and want is None) or (isinstance(got, (int, float)) and want is not None and abs(got - want) < 0.005)
        elif k in INTS:
            ok = got == int(v)
        else:
            ok = isinstance(got, str) and guard(got) == v
        if not ok:
            fail("customer %s field %s: model %r, CSV %r" % (cc["tenant_id"], k, got, v))

# --- the table: one row per customer, in the CSV's order, with its status and reason
trs = [e for e in p.elems if e["tag"] == "tr" and has_class(e, "customer")]
def cells(t):
    return [e["text"] for e in p.elems if e["tag"] in ("td", "th") and e["parents"] and e["parents"][-1] is t]
if [cells(t)[1] for t in trs] != [c["tenant_id"] for c in cust]:
    fail("table rows are not the customers report's tenants in order")
for t, c in zip(trs, cust):
    a = t["attrs"]
    if (a["data-status"], a["data-reason"]) != (c["status"], c["reason_code"]):
        fail("row %s: %r" % (c["tenant_id"], a))
    if a["id"] != "c-" + re.sub(r"[^A-Za-z0-9_-]", "_", c["tenant_id"]):
        fail("row id %r" % a["id"])
    cs = cells(t)
    if cs[0] != unguard(c["customer_name"]) or cs[2] != c["status"] or cs[3] != c["reason_code"]:
        fail("row %s shows %r" % (c["tenant_id"], cs[:4]))
    if (a["data-usage"] == "") != (c["usage"] == "") or (c["usage"] and abs(float(a["data-usage"]) - float(c["usage"])) > 0.005):
        fail("row %s data-usage %r, CSV %r" % (c["tenant_id"], a["data-usage"], c["usage"]))
    whys = [e for e in p.elems if e["tag"] == "details" and t in e["parents"]]
    if len(whys) != 1 or not has_class(whys[0], "why"):
        fail("row %s: %d why details" % (c["tenant_id"], len(whys)))
    # the story says the customer's explanation (the CSV text, commands in <code>)
    if unguard(c["explanation"]).replace("`", "") not in whys[0]["text"]:
        fail("row %s: the why story is not its explanation" % c["tenant_id"])
ths = [e for e in p.elems if e["tag"] == "th" and "data-key" in e["attrs"]]
if not ths or any(e["attrs"].get("scope") != "col" or e["attrs"].get("aria-sort") not in ("none", "ascending", "descending") for e in ths):
    fail("sortable headers without scope/aria-sort")
for i in ("filter-text", "filter-status", "filter-reason", "filter-count"):
    if not by(id=i):
        fail("no #%s" % i)
if by(id="filter-count")[0]["text"] != "%d of %d customers" % (len(cust), len(cust)):
    fail("filter-count says %r" % by(id="filter-count")[0]["text"])

# --- headline: counts from the customers CSV, money per currency from the subscriptions CSV
def figure(key, cur=None):
    es = [e for e in p.elems if e["attrs"].get("data-figure") == key and e["attrs"].get("data-currency") == cur]
    if len(es) != 1:
        fail("data-figure=%s currency %s: %d elements" % (key, cur, len(es)))
    return es[0]
for key, st in (("customers_counted", "ATTRIBUTED"), ("customers_missing", "MISSING"), ("customers_unknown", "UNKNOWN")):
    want = sum(1 for c in cust if c["status"] == st)
    if figure(key)["text"] != str(want) or model["headline"][key] != want:
        fail("%s: page %r, model %r, CSV %d" % (key, figure(key)["text"], model["headline"][key], want))
if figure("customers")["text"] != str(len(cust)):
    fail("customers figure")
subs = rows("subscriptions")
# each customer's story lists its subscriptions that are not attributed, as the subscriptions CSV
for mc in model["customers"]:
    want = sorted((x["subscription_id"], x["status"], x["reason_code"]) for x in subs
                  if x["tenant_id"] == mc["tenant_id"] and x["status"] != "ATTRIBUTED")
    got = sorted((x["subscription_id"], x["status"], x["reason_code"]) for x in mc["why"])
    if got != want:
        fail("customer %s story: %r, subscriptions CSV %r" % (mc["tenant_id"], got, want))
cur = sorted({s["currency"] for s in subs if s["currency"] and s["usage"] != ""})
for c in cur:
    attributed = sum(float(s["attributed_usage"]) for s in subs if s["currency"] == c and s["status"] == "ATTRIBUTED")
    stake = sum(float(s["usage"]) for s in subs if s["currency"] == c and s["status"] != "ATTRIBUTED" and s["usage"] != "")
    usage = sum(float(s["usage"]) for s in subs if s["currency"] == c and s["usage"] != "")
    for key, want in (("attributed_usage", attributed), ("usage_at_stake", stake), ("usage", usage)):
        e = figure(key, c)
        if abs(float(e["attrs"]["data-value"]) - want) > 0.005:
            fail("%s %s: data-value %s, subscriptions CSV %.2f" % (key, c, e["attrs"]["data-value"], want))
        if e["text"].replace(",", "") != "%.2f" % want:
            fail("%s %s shows %r" % (key, c, e["text"]))

# --- funnel: six steps in order, the first all customers, the last the counted ones
steps = [e["attrs"] for e in p.elems if e["tag"] == "g" and "data-step" in e["attrs"]]
if [s["data-step"] for s in steps] != ["customer_tenants", "signed_in", "linked", "eligible_rbac", "with_usage", "attributed"]:
    fail("funnel steps %r" % [s["data-step"] for s in steps])
n = [int(s["data-customers"]) for s in steps]
if n[0] != len(cust) or n[-1] != sum(1 for c in cust if c["status"] == "ATTRIBUTED") or n != sorted(n, reverse=True):
    fail("funnel counts %r" % n)
if not [e for e in p.elems if e["tag"] == "svg" and e["attrs"].get("role") == "img" and e["attrs"].get("aria-labelledby")]:
    fail("no accessible svg")

# --- reasons: one bar per blocking row of the summary, in its order, each a link to its list
summary = rows("summary")
blocking = [(s["key"], s["amount"], s["currency"]) for s in summary if s["section"] == "blocking"]
bars = [(e["attrs"]["data-reason"], e["attrs"]["data-usage"], e["attrs"]["data-currency"])
        for e in p.elems if e["tag"] == "a" and "data-reason" in e["attrs"]]
if [(k, "" if a == "" else "%.2f" % float(a), c) for k, a, c in bars] != blocking:
    fail("reason bars %r, summary %r" % (bars, blocking))
for code in {b[0] for b in bars}:
    if not by("h3", id="reason-" + code):
        fail("no <h3 id=reason-%s>" % code)

# --- actions: biggest usage first within each actor, commands in <code>
lis = [e for e in p.elems if e["tag"] == "li" and "data-actor" in e["attrs"]]
if len(lis) != len(model["actions"]) or not lis:
    fail("%d action lines, model %d" % (len(lis), len(model["actions"])))
order = {"partner": 0, "customer": 1, "none": 2}
keyed = [(order[e["attrs"]["data-actor"]], -float(e["attrs"]["data-usage"] or "-1e300")) for e in lis]
if keyed != sorted(keyed):
    fail("actions are not by actor, then most usage first")
for e, a in zip(lis, model["actions"]):
    codes = [x["text"] for x in p.elems if x["tag"] == "code" and e in x["parents"]]
    # a fix with commands shows them; one without shows its text, its `spans` as <code>
    # (palscope link apply ... fixes every identity at once: said once above the list)
    once = [c for c in a["commands"] if c.startswith("palscope link apply ")]
    want = [c for c in a["commands"] if c not in once] if a["commands"] else re.findall(r"`([^`]*)`", a["text"])
    above = [x["text"] for x in p.elems if x["tag"] == "code" and any(has_class(q, "all-at-once") for q in x["parents"])]
    if any(c not in above for c in once):
        fail("action %r: %r not above the list" % (a["reason_code"], once))
    if codes != want or (a["commands"] and a.get("text") is not None) or (not a["commands"] and a.get("text") is None):
        fail("action %r: commands %r, <code> %r" % (a["reason_code"], a["commands"], codes))
    if any(not (c.startswith("az ") or c.startswith("palscope ")) for c in a["commands"]):
        fail("action %r: not a command in %r" % (a["reason_code"], a["commands"]))
if not any(a["reason_code"] == "NO_LINK" and any("az managementpartner create" in c for c in a["commands"]) for a in model["actions"]):
    fail("no NO_LINK action with its az command")
# who must act: the same reason-code data the why story reads (`palscope why TENANT -o json`)
stories = json.load(open(d + "/why-all.json", encoding="utf-8")) if os.path.exists(d + "/why-all.json") else None
by_t = {x["tenant_id"]: x for x in stories or []}
seen_actor = {"partner", "customer"} if stories is None else set()
for a in model["actions"] if stories is not None else []:
    st = by_t[a["tenant_id"]]
    want = {x["actor"] for x in st["subscription_stories"] if x["reason_code"] == a["reason_code"]
            and x["identity_name"] == a["identity_name"]} or {st["actor"]}
    if want != {a["actor"]}:
        fail("action %s %s: actor %r, why story %r" % (a["tenant_id"], a["reason_code"], a["actor"], want))
    seen_actor.add(a["actor"])
if not {"partner", "customer"} <= seen_actor:
    fail("actions name only %r" % seen_actor)

# --- sections present as the database says
want_trend = len({t["period"] for t in model["trend"]}) > 1
if bool(by("section", id="trend")) != want_trend:
    fail("trend section shown=%s, periods>1=%s" % (bool(by("section", id="trend")), want_trend))
if bool(by("section", id="changes")) != ("changes" in model):
    fail("changes section")
for s in ("headline", "funnel", "reasons", "actions"):
    if not by("section", id=s):
        fail("no section %s" % s)
print("ok")
PY

why_all "$DB"
"$PYTHON" "$T/check.py" "$T/report.html" "$T" || fail "report html on the demo"
ok "report html: CSP and hash, no http(s), model = customers report, headline = subscriptions sums, funnel, reasons = summary, actions"
grep -q '<section id="trend"' "$T/report.html" || fail "no trend with two periods"
grep -q '<section id="changes"' "$T/report.html" || fail "no changes since the previous run"
"$PYTHON" - "$T/report.html" <<'PY' || fail "changes"
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
j = raw[raw.index('id="palscope-data">') + 19:]
m = json.loads(j[:j.index("</script>")])
c = m["changes"]
assert (c["from_period"], c["to_period"]) == ("2026-09", "2026-10"), c
assert m["as_of_run"] is None
PY
ok "trend and changes sections (two periods)"

# Hostile names, as Azure may return them (tenant display names are the customer's to choose).
cp "$DB" "$T/hostile.db"
cat >"$T/hostile.txt" <<'EOF'
<script>alert(1)</script>
=HYPERLINK("http://x")
a'b"c&d</td></tr><img src=x onerror=alert(2)>
EOF
"$PYTHON" - "$T/hostile.db" "$T/hostile.txt" <<'PY'
import sqlite3, sys
names = [l for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l]
con = sqlite3.connect(sys.argv[1])
tenants = [t for (t,) in con.execute("SELECT DISTINCT tenant_id FROM tenant ORDER BY tenant_id LIMIT 3")]
for t, n in zip(tenants, names):
    con.execute("UPDATE tenant SET display_name = ? WHERE tenant_id = ?", (n, t))
    con.execute("UPDATE identity SET label = ? WHERE tenant_id = ?", (n, t))
con.commit()
PY
html "$T/hostile.db" "$T/hostile.html"
expect_eq "report html (hostile names) exit status" 0 "$RC"
"$PALSCOPE" report customers --db "$T/hostile.db" --out "$T/customers.csv" 2>/dev/null
"$PALSCOPE" report subscriptions --db "$T/hostile.db" --out "$T/subscriptions.csv" 2>/dev/null
"$PALSCOPE" report summary --db "$T/hostile.db" --out "$T/summary.csv" 2>/dev/null
why_all "$T/hostile.db"
"$PYTHON" "$T/check.py" "$T/hostile.html" "$T" hostile || fail "report html with hostile names"
for s in '<script>alert(1)</script>' '<img src=x' '</td></tr><img'; do
	grep -qF "$s" "$T/hostile.html" && fail "'$s' is in the page unescaped"
done
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/hostile.html" || fail "the <script> name is not shown escaped"
grep -qF '=HYPERLINK(&quot;http://x&quot;)' "$T/hostile.html" || fail "the =HYPERLINK name is not shown literally"
ok "hostile names shown literally, escaped in text, attributes and the JSON"

# As of a run: the model says which, and equals report customers --run.
html "$DB" "$T/run1.html" --run 1
expect_eq "report html --run 1" 0 "$RC"
"$PALSCOPE" report customers --db "$DB" --run 1 --out "$T/customers.csv" 2>/dev/null
"$PALSCOPE" report subscriptions --db "$DB" --run 1 --out "$T/subscriptions.csv" 2>/dev/null
"$PALSCOPE" report summary --db "$DB" --run 1 --out "$T/summary.csv" 2>/dev/null
rm -f "$T/why-all.json"   # as of run 1: no why story to compare with
"$PYTHON" "$T/check.py" "$T/run1.html" "$T" || fail "report html --run 1"
grep -q '"as_of_run":1,' "$T/run1.html" || fail "--run 1 not in the model"
grep -q '"period":"2026-09"' "$T/run1.html" || fail "--run 1 is not period 2026-09"
ok "report html --run 1 = the reports as of run 1"

# Errors: no run for the period (nothing written), --excel, stdout.
html "$DB" "$T/none.html" --period 2026-08
expect_eq "no run for the period" 1 "$RC"
[ ! -e "$T/none.html" ] && [ ! -e "$T/none.html.tmp" ] || fail "a page for a period without a run"
grep -q "no run for 2026-08" "$T/html.err" || fail "error: $(cat "$T/html.err")"
html "$DB" "$T/x.html" --excel
expect_eq "--excel" 2 "$RC"
[ "$(wc -l <"$T/html.err")" -eq 1 ] || fail "--excel error is not one line"
PALSCOPE_NOW=2026-12-01T00:00:00Z "$PALSCOPE" report html --db "$DB" --out "$T/a.html" 2>/dev/null
PALSCOPE_NOW=2026-12-01T00:00:00Z "$PALSCOPE" report html --db "$DB" 2>/dev/null >"$T/b.html"
cmp -s "$T/a.html" "$T/b.html" || fail "stdout and --out differ"
ok "errors: no run (exit 1, no file), --excel (exit 2); stdout = --out"
