"""A headless Chromium driven through the Chrome DevTools Protocol, standard library only.

The browser is started with --headless=new --remote-debugging-pipe: it reads commands on its fd 3
and writes replies and events on its fd 4, each message one JSON object ended by a NUL byte (the
transport of puppeteer's PipeTransport and of chromium's own devtools_pipe_handler). A fresh
--user-data-dir under the test's temporary folder keeps every run apart; --no-sandbox only when
running as root (chromium refuses to start as root with its sandbox).

    with Browser(tmpdir) as b:
        page = b.new_page(scripts=True)
        page.load("file:///.../report.html")
        page.eval("document.title")
        page.console, page.exceptions, page.log, page.requests   # what the page did

Every domain used here is in the stable protocol (Page, Runtime, Network, Log, Emulation, Input,
DOM): https://chromedevtools.github.io/devtools-protocol/ (plain text reference; nothing fetched).
"""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time


class CDPError(Exception):
    pass


def find_chromium():
    """The browser: $CHROMIUM, else chromium/chromium-browser/google-chrome on PATH."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise CDPError("no chromium found (set CHROMIUM or install Debian's chromium)")


class Browser:
    def __init__(self, tmpdir, chromium=None, timeout=60.0, width=1280, height=900):
        self.timeout = timeout
        self.profile = os.path.join(tmpdir, "chromium-profile")
        os.makedirs(self.profile, exist_ok=True)
        exe = chromium or find_chromium()
        args = [exe, "--headless=new", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile,
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,%d" % (width, height), "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        # to_child: we write commands, chromium reads fd 3; from_child: chromium writes fd 4
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        # the child's ends above fd 10 first, so moving them to 3 and 4 clobbers neither
        hi_r = fcntl.fcntl(to_r, fcntl.F_DUPFD_CLOEXEC, 10)
        hi_w = fcntl.fcntl(from_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_r)
        os.close(from_w)

        def child_fds():   # after fork: dup2 leaves 3 and 4 open across exec, the rest close
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.stderr_path = os.path.join(tmpdir, "chromium.stderr")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._stderr,
                                     stderr=self._stderr, preexec_fn=child_fds, close_fds=False)
        os.close(hi_r)
        os.close(hi_w)
        self._w = to_w
        self._r = from_r
        self._buf = b""
        self._next_id = 0
        self._events = []          # (sessionId, method, params) not yet consumed
        self.sessions = {}         # sessionId -> Page

    # -- transport ---------------------------------------------------------------------------
    def _send(self, method, params=None, session=None):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._w, data)
            data = data[n:]
        return self._next_id

    def _read_one(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for chromium (stderr in %s)" % self.stderr_path)
            r, _, _ = select.select([self._r], [], [], min(left, 0.5))
            if not r:
                if self.proc.poll() is not None:
                    raise CDPError("chromium exited with status %s (stderr in %s)"
                                   % (self.proc.returncode, self.stderr_path))
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe (stderr in %s)" % self.stderr_path)
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _dispatch(self, msg):
        """An event: recorded by its page (console, requests, ...) and queued for waiters."""
        sid, method, params = msg.get("sessionId"), msg["method"], msg.get("params", {})
        page = self.sessions.get(sid)
        if page is not None:
            page._record(method, params)
        self._events.append((sid, method, params))

    def call(self, method, params=None, session=None, timeout=None):
        mid = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._read_one(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CDPError("%s: %s" % (method, msg["error"].get("message")))
                return msg.get("result", {})
            if "method" in msg:
                self._dispatch(msg)

    def wait_event(self, method, session=None, timeout=None, pred=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, (sid, m, p) in enumerate(self._events):
                if m == method and (session is None or sid == session) and (pred is None or pred(p)):
                    del self._events[i]
                    return p
            msg = self._read_one(deadline)
            if "method" in msg:
                self._dispatch(msg)

    def pump(self, seconds):
        """Read events for a while (late console messages, requests)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                msg = self._read_one(deadline)
                if "method" in msg:
                    self._dispatch(msg)
        except CDPError:
            if self.proc.poll() is not None:
                raise

    # -- pages -------------------------------------------------------------------------------
    def new_page(self, scripts=True, width=1280, height=900):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, sid)
        self.sessions[sid] = page
        for domain in ("Page", "Runtime", "Network", "Log", "DOM"):
            page.call(domain + ".enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        if not scripts:
            page.call("Emulation.setScriptExecutionDisabled", {"value": True})
        return page

    def close(self):
        if self.proc.poll() is None:
            try:
                self._send("Browser.close")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser, target, session):
        self.b = browser
        self.target = target
        self.session = session
        self.console = []      # Runtime.consoleAPICalled: "type: text"
        self.exceptions = []   # Runtime.exceptionThrown: description
        self.log = []          # Log.entryAdded: "level source: text"
        self.requests = []     # Network.requestWillBeSent: url
        self.dialogs = []      # Page.javascriptDialogOpening: message (alert/confirm/prompt)

    def _record(self, method, p):
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", a.get("type"))))
                            for a in p.get("args", []))
            self.console.append("%s: %s" % (p.get("type"), text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.exceptions.append(d.get("exception", {}).get("description") or d.get("text"))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            self.log.append("%s %s: %s" % (e.get("level"), e.get("source"), e.get("text")))
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(p.get("message"))
            # answer it, or the page would hang on the dialog
            self.b._send("Page.handleJavaScriptDialog", {"accept": False}, self.session)

    def call(self, method, params=None, timeout=None):
        return self.b.call(method, params, self.session, timeout)

    def load(self, url, timeout=None):
        """Navigate and wait for the load event; returns seconds from navigate to load."""
        t0 = time.monotonic()
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        self.b.wait_event("Page.loadEventFired", self.session, timeout)
        return time.monotonic() - t0

    def eval(self, expr, timeout=None):
        """The value of a JavaScript expression (returned by value; awaits promises)."""
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("evaluate %r: %s" % (expr[:80], d.get("exception", {}).get("description")
                                               or d.get("text")))
        return r["result"].get("value")

    def wait_for(self, expr, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expr)
            if v:
                return v
            if time.monotonic() > deadline:
                raise CDPError("timed out waiting for %s" % expr)
            time.sleep(0.05)

    # -- DOM without JavaScript (works with script execution disabled) ----------------------
    def query_all(self, selector):
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return self.call("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]

    def outer_html(self, node_id):
        return self.call("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]

    def attributes(self, node_id):
        a = self.call("DOM.getAttributes", {"nodeId": node_id})["attributes"]
        return dict(zip(a[0::2], a[1::2]))

    # -- input, as a user gives it ----------------------------------------------------------
    def _center(self, selector):
        box = self.eval("(() => { const e = document.querySelector(%s); if (!e) return null;"
                        " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                        " return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; })()"
                        % json.dumps(selector))
        if not box:
            raise CDPError("no element %s" % selector)
        if box[2] <= 0 or box[3] <= 0:
            raise CDPError("element %s is not visible" % selector)
        return box[0], box[1]

    def click(self, selector):
        """A real mouse click (Input.dispatchMouseEvent) in the middle of the element."""
        x, y = self._center(selector)
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1})

    def type_text(self, selector, text, clear=True):
        """Focus the field, empty it, and type (Input.insertText fires the input events)."""
        self.eval("(() => { const e = document.querySelector(%s); e.focus();"
                  " if (%s) e.select(); })()" % (json.dumps(selector), "true" if clear else "false"))
        if clear:
            self.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Backspace",
                                                 "code": "Backspace", "windowsVirtualKeyCode": 8})
            self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Backspace",
                                                 "code": "Backspace", "windowsVirtualKeyCode": 8})
        if text:
            self.call("Input.insertText", {"text": text})

    def key(self, key):
        """Press and release one key on the focused element (Tab, Enter, Escape, ...)."""
        codes = {"Tab": (9, "\t"), "Enter": (13, "\r"), "Escape": (27, ""), " ": (32, " ")}
        vk, text = codes[key]
        down = {"type": "keyDown", "key": key, "code": "Space" if key == " " else key,
                "windowsVirtualKeyCode": vk}
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": down["code"],
                                             "windowsVirtualKeyCode": vk})

    def select(self, selector, value):
        """Choose an option of a <select> and fire input + change, as the browser does."""
        ok = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                       " if (![...e.options].some(o => o.value === %s)) return false;"
                       " e.focus(); e.value = %s;"
                       " e.dispatchEvent(new Event('input', {bubbles: true}));"
                       " e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()"
                       % (json.dumps(selector), json.dumps(value), json.dumps(value)))
        if not ok:
            raise CDPError("%s has no option %r" % (selector, value))

    # -- output ------------------------------------------------------------------------------
    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.call("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data

    def pdf(self, path=None):
        """Print emulation on A4 portrait (210 x 297 mm in inches), with the page's print CSS."""
        data = base64.b64decode(self.call("Page.printToPDF", {
            "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
            "marginTop": 0.4, "marginBottom": 0.4, "marginLeft": 0.4, "marginRight": 0.4},
            timeout=120)["data"])
        if path:
            with open(path, "wb") as f:
                f.write(data)
        return data

    def metrics(self):
        self.call("Performance.enable")
        return {m["name"]: m["value"] for m in self.call("Performance.getMetrics")["metrics"]}


def pdf_page_count(data):
    """Pages of a PDF: the /Count of its page tree root (the largest /Count in the file)."""
    import re
    if not data.startswith(b"%PDF-"):
        raise CDPError("not a PDF")
    counts = [int(n) for n in re.findall(rb"/Count\s+(\d+)", data)]
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    return max(counts + [pages]) if counts or pages else 0
