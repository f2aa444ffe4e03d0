/* palscope report html: sort, filter and expand the customer table. The page is complete
 * without this script (rendered by palscope); it only reorders rows and sets `hidden`. */
(function () {
  "use strict";
  var table = document.getElementById("customers");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var reason = document.getElementById("filter-reason");
  var count = document.getElementById("filter-count");
  var filters = document.getElementById("filters");
  if (filters) filters.hidden = false;

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    if (numeric) {
      var v = cell.textContent.replace(/,/g, "");
      return v === "" ? -Infinity : parseFloat(v);
    }
    return cell.textContent.toLowerCase();
  }

  function applyFilter() {
    var q = text ? text.value.trim().toLowerCase() : "";
    var s = status ? status.value : "";
    var r = reason ? reason.value : "";
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var ok = true;
      if (q) {
        var name = row.cells[0] ? row.cells[0].textContent.toLowerCase() : "";
        var tid = row.cells[1] ? row.cells[1].textContent.toLowerCase() : "";
        ok = name.indexOf(q) >= 0 || tid.indexOf(q) >= 0;
      }
      if (ok && s) ok = row.getAttribute("data-status") === s;
      if (ok && r) ok = row.getAttribute("data-reason") === r;
      row.hidden = !ok;
      if (ok) shown++;
    }
    if (count) count.textContent = shown + " of " + rows.length + " customers";
  }

  function sortBy(th) {
    var ths = table.tHead.rows[0].cells;
    var index = Array.prototype.indexOf.call(ths, th);
    var numeric = th.hasAttribute("data-numeric");
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    for (var i = 0; i < ths.length; i++)
      if (ths[i].hasAttribute("aria-sort")) ths[i].setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", dir);
    var sign = dir === "ascending" ? 1 : -1;
    var keyed = rows.map(function (row, i) {
      return { row: row, key: cellValue(row, index, numeric), i: i };
    });
    keyed.sort(function (a, b) {
      if (a.key < b.key) return -sign;
      if (a.key > b.key) return sign;
      return a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    rows = keyed.map(function (k) { frag.appendChild(k.row); return k.row; });
    tbody.appendChild(frag);
  }

  var heads = table.tHead ? table.tHead.rows[0].cells : [];
  for (var h = 0; h < heads.length; h++) {
    (function (th) {
      var b = th.querySelector("button");
      if (b && th.hasAttribute("data-key"))
        b.addEventListener("click", function () { sortBy(th); });
    })(heads[h]);
  }
  if (text) text.addEventListener("input", applyFilter);
  if (status) status.addEventListener("change", applyFilter);
  if (reason) reason.addEventListener("change", applyFilter);

  /* #reason-CODE: show that reason's customers in the table */
  function fromHash() {
    var m = /^#reason-([A-Za-z0-9_-]+)$/.exec(window.location.hash);
    if (!m || !reason) return;
    var found = false;
    for (var i = 0; i < reason.options.length; i++)
      if (reason.options[i].value === m[1]) found = true;
    if (!found) return;
    reason.value = m[1];
    if (status) status.value = "";
    if (text) text.value = "";
    applyFilter();
    table.scrollIntoView();
  }
  var links = document.querySelectorAll("a[data-reason]");
  for (var l = 0; l < links.length; l++) {
    links[l].addEventListener("click", function (ev) {
      var code = this.getAttribute("data-reason");
      ev.preventDefault();
      if (window.history && window.history.replaceState)
        window.history.replaceState(null, "", "#reason-" + code);
      else
        window.location.hash = "#reason-" + code;
      fromHash();
    });
  }
  window.addEventListener("hashchange", fromHash);

  /* a link to a customer row opens its story */
  function openRow() {
    var m = /^#c-([A-Za-z0-9_-]+)$/.exec(window.location.hash);
    if (!m) return;
    var row = document.getElementById("c-" + m[1]);
    if (!row) return;
    row.hidden = false;
    var d = row.querySelector("details.why");
    if (d) d.open = true;
  }
  window.addEventListener("hashchange", openRow);

  /* an opened story lists the customer's subscriptions that are not attributed (the model's
   * customers, packed as columns and rows: the "why" column, rows of subscription_columns), once */
  var byTenant = null;
  function story(tenant) {
    if (byTenant === null) {
      byTenant = {};
      var data = document.getElementById("palscope-data");
      var model = data ? JSON.parse(data.textContent) : {};
      var cs = model.customers || { columns: [], rows: [] };
      var sc = model.subscription_columns || [];
      var ti = cs.columns.indexOf("tenant_id"), wi = cs.columns.indexOf("why");
      for (var i = 0; i < cs.rows.length; i++) {
        var subs = [], raw = cs.rows[i][wi] || [];
        for (var j = 0; j < raw.length; j++) {
          var o = {};
          for (var k = 0; k < sc.length; k++) o[sc[k]] = raw[j][k];
          subs.push(o);
        }
        byTenant[cs.rows[i][ti]] = { subscriptions: subs };
      }
    }
    return byTenant[tenant];
  }
  function money(v, cur) {
    if (typeof v !== "number") return "cost unknown";
    return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) +
      (cur ? " " + cur : "");
  }
  function fillStory(d) {
    if (d.getAttribute("data-filled")) return;
    d.setAttribute("data-filled", "1");
    var row = d.closest("tr");
    var why = row && row.cells[1] ? story(row.cells[1].textContent) : null;
    var subs = why && why.subscriptions ? why.subscriptions : [];
    if (!subs.length) return;
    var ul = document.createElement("ul");
    ul.className = "subs";
    for (var i = 0; i < subs.length; i++) {
      var s = subs[i], li = document.createElement("li"), st = document.createElement("span");
      st.className = "st-" + s.status;
      st.textContent = s.status;
      li.appendChild(st);
      var code = document.createElement("strong");
      code.textContent = " " + s.reason_code + " ";
      li.appendChild(code);
      li.appendChild(document.createTextNode(s.subscription_name + " (" + s.subscription_id +
        "), " + money(s.usage, s.currency) + (s.reasons ? "; codes " + s.reasons : "")));
      ul.appendChild(li);
    }
    d.insertBefore(ul, d.lastElementChild);
  }
  tbody.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (d && d.open && d.classList && d.classList.contains("why")) fillStory(d);
  }, true);

  applyFilter();
  fromHash();
  openRow();
})();
