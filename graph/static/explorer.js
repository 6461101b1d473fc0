// policykg explorer: builds the vis-network view and the side panel from the JSON in #data.
// Data is only ever put into the page with textContent / DOM properties, never parsed as markup.
// Positions come from Python and physics stays off, so the page is interactive after one draw.
// Big graphs start reduced (DATA.initial: the node ids shown first); the rest is added on demand.
// Entities without any relation are listed in the side panel, not drawn, until asked for.
// Article titles, links, dates and sources: DATA.articles, or the site's shared table
// (data/articles.js sets window.POLICYKG_ARTICLES; its links are relative to DATA.root).
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var STATE = window.policykg = { ready: false, readyMs: null, data: DATA };
  var ARTS = DATA.articles || window.POLICYKG_ARTICLES || {};
  var ROOT = DATA.root || "";
  var byId = {};          // node id -> node record
  var edgeById = {};      // edge id -> edge record
  var incident = {};      // node id -> [edge record]
  var typeInfo = {}, predInfo = {};
  DATA.types.forEach(function (t) { typeInfo[t.name] = t; });
  DATA.predicates.forEach(function (p) { predInfo[p.name] = p; });
  DATA.nodes.forEach(function (n, i) {  // defaults the page data leaves out
    n.x = DATA.pos[i][0]; n.y = DATA.pos[i][1];
    if (!n.types) { n.types = [n.type]; }
    if (!n.aliases) { n.aliases = []; }
    if (!n.articles) { n.articles = []; }
    if (!n.font) { n.font = 14; }
    byId[n.id] = n; incident[n.id] = [];
  });
  DATA.edges.forEach(function (e) {
    edgeById[e.id] = e;
    incident[e.from].push(e);
    if (e.to !== e.from) { incident[e.to].push(e); }
  });
  // isolated: no relation on this page (a page without any relation draws its entities)
  var isolated = {}, isolatedList = [];
  if (DATA.edges.length) {
    DATA.nodes.forEach(function (n) {
      if (!incident[n.id].length && n.id !== DATA.focus) { isolated[n.id] = true; isolatedList.push(n); }
    });
  }
  function evCount(e) { return e.nev || e.evidence.length; }  // nev: all evidence, also other articles'

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    if (cls) { x.className = cls; }
    return x;
  }
  function typeName(t) { var i = typeInfo[t]; return i ? i.zh + " " + t : t; }
  function predName(p) { var i = predInfo[p]; return i ? i.label : p; }
  function colorOf(t) { var i = typeInfo[t]; return i ? i.color : "#bab0ac"; }

  // ---------------------------------------------------------------- filters state
  var typeOn = {}, predOn = {};
  // years: those of the articles that state a node / an edge; undated: one of them has no date.
  // Evidence-less edges (no years, not undated) follow their nodes.
  var yearLo = null, yearHi = null, undatedOn = true;
  function yearOk(x) {
    if (!x.years && !x.undated) { return true; }
    if (x.undated && undatedOn) { return true; }
    return (x.years || []).some(function (y) {
      return (yearLo === null || y >= yearLo) && (yearHi === null || y <= yearHi);
    });
  }
  function nodeShown(n) { return typeOn[n.type] !== false && yearOk(n); }
  function edgeShown(e) {
    return predOn[e.predicate] !== false && yearOk(e) && nodeShown(byId[e.from]) && nodeShown(byId[e.to]);
  }

  // ---------------------------------------------------------------- vis data
  function nodeTooltip(n) {  // plain text: vis-network 9 sets string titles as text
    var lines = [n.label, typeName(n.type)];
    if (n.types.length > 1) { lines.push("类型 Types: " + n.types.map(typeName).join(", ")); }
    if (n.aliases.length) { lines.push("别名 Aliases: " + n.aliases.join("、")); }
    lines.push("关系 Relations: " + n.degree);
    return lines.join("\n");
  }
  function edgeTooltip(e) {
    var lines = [byId[e.from].label + " — " + predName(e.predicate) + " — " + byId[e.to].label];
    if (e.evidence.length) {
      var s = e.evidence[0].sentence;
      lines.push(s.length > 120 ? s.slice(0, 120) + "…" : s);
    }
    var more = evCount(e) - Math.min(e.evidence.length, 1);
    if (more > 0) { lines.push("(+" + more + " 条证据 more evidence)"); }
    return lines.join("\n");
  }
  var showEdgeLabels = !!DATA.edgeLabels;
  function visNode(n) {
    var c = colorOf(n.type);
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, title: nodeTooltip(n), hidden: !nodeShown(n),
      color: { background: c, border: "#555", highlight: { background: c, border: "#000" },
               hover: { background: c, border: "#000" } },
      borderWidth: n.id === DATA.focus ? 4 : 1,
      font: { size: n.font }  // hubs: bigger, readable when the whole graph is fitted
    };
  }
  function visEdge(e) {
    var p = predInfo[e.predicate];
    return {
      id: e.id, from: e.from, to: e.to, title: edgeTooltip(e), hidden: !edgeShown(e),
      label: showEdgeLabels ? predName(e.predicate) : "",
      arrows: { to: { enabled: !e.symmetric, scaleFactor: 0.6 } },
      dashes: evCount(e) === 0,
      color: { color: p ? p.color : "#999", highlight: "#000", hover: "#333", opacity: 0.85 },
      width: 1 + Math.min(evCount(e), 4) * 0.5,
      // parallel edges of one pair curve away from each other; all others are straight (cheap)
      smooth: e.roundness ? { enabled: true, type: "curvedCW", roundness: e.roundness } : false
    };
  }
  var present = {}, nPresent = 0;      // node id -> true once it is in the network
  var edgePresent = {}, ePresent = 0;
  var firstNodes = [], firstEdges = [];
  (DATA.initial === null ? DATA.nodes.map(function (n) { return n.id; }) : DATA.initial)
    .forEach(function (id) {
      if (isolated[id]) { return; }
      present[id] = true; nPresent++; firstNodes.push(visNode(byId[id]));
    });
  DATA.edges.forEach(function (e) {
    if (present[e.from] && present[e.to]) { edgePresent[e.id] = true; ePresent++; firstEdges.push(visEdge(e)); }
  });
  var visNodes = new vis.DataSet(firstNodes);
  var visEdges = new vis.DataSet(firstEdges);
  var big = DATA.edges.length > 1500 || DATA.nodes.length > 1500;
  var font = DATA.font;
  var network = new vis.Network(document.getElementById("network"), { nodes: visNodes, edges: visEdges }, {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false, randomSeed: 7 },
    interaction: { hover: !big, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big },
    // small labels only once zoomed in; hub labels (bigger font) show on the whole graph
    nodes: { shape: "dot", scaling: { label: { drawThreshold: 6 } }, font: { face: font, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { font: { face: font, size: 10, color: "#444", align: "middle", strokeWidth: 3, strokeColor: "#ffffff" },
             selectionWidth: 2, hoverWidth: 1 }
  });
  STATE.network = network; STATE.nodes = visNodes; STATE.edges = visEdges;
  network.once("afterDrawing", function () {
    STATE.ready = true; STATE.readyMs = performance.now();
    document.body.setAttribute("data-ready", "true");
  });

  // adds nodes (and the edges between present nodes) to the network
  function addNodes(ids) {
    var newN = [], newE = [];
    ids.forEach(function (id) {
      if (present[id] || !byId[id]) { return; }
      present[id] = true; nPresent++; newN.push(visNode(byId[id]));
    });
    newN.forEach(function (vn) {
      incident[vn.id].forEach(function (e) {
        if (!edgePresent[e.id] && present[e.from] && present[e.to]) {
          edgePresent[e.id] = true; ePresent++; newE.push(visEdge(e));
        }
      });
    });
    if (newN.length) { visNodes.add(newN); }
    if (newE.length) { visEdges.add(newE); }
    updateCounts();
    return newN.length;
  }
  function neighbours(id) {
    return incident[id].map(function (e) { return e.from === id ? e.to : e.from; });
  }
  STATE.addNodes = addNodes;

  // ---------------------------------------------------------------- legend, counts, expand
  var legend = document.getElementById("legend");
  DATA.types.forEach(function (t) {
    if (!t.count) { return; }
    var row = el("div", null, "item");
    var sw = el("span", null, "swatch"); sw.style.background = t.color;
    row.appendChild(sw); row.appendChild(el("span", typeName(t.name)));
    legend.appendChild(row);
  });
  var counts = document.getElementById("counts");
  var expandBox = document.getElementById("expand"), expandStatus = document.getElementById("expand-status");
  var byDegree = null;
  function updateCounts() {
    var shownN = 0, shownE = 0, id;
    for (id in present) { if (nodeShown(byId[id])) { shownN++; } }
    for (id in edgePresent) { if (edgeShown(edgeById[id])) { shownE++; } }
    counts.textContent = "节点 nodes " + shownN + "/" + DATA.nodes.length +
      " · 关系 edges " + shownE + "/" + DATA.edges.length;
    if (DATA.initial !== null) {
      expandStatus.textContent = "已显示 showing " + nPresent + " / " + DATA.nodes.length +
        " 节点 nodes（按关系数 by degree）";
    }
  }
  if (DATA.initial !== null) {
    expandBox.hidden = false;
    document.getElementById("expand-more").addEventListener("click", function () {
      if (byDegree === null) {
        byDegree = DATA.nodes.slice().sort(function (a, b) { return b.degree - a.degree || a.id - b.id; });
      }
      var next = [], want = Math.max(DATA.initial.length, 500);
      for (var i = 0; i < byDegree.length && next.length < want; i++) {
        if (!present[byDegree[i].id] && !isolated[byDegree[i].id]) { next.push(byDegree[i].id); }
      }
      addNodes(next);
    });
    document.getElementById("expand-all").addEventListener("click", function () {
      addNodes(DATA.nodes.filter(function (n) { return !isolated[n.id]; }).map(function (n) { return n.id; }));
    });
  }
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { addNodes(neighbours(params.nodes[0])); }
  });

  // ---------------------------------------------------------------- filters
  function applyFilters() {
    var nodeUpd = [], edgeUpd = [], id;
    for (id in present) { nodeUpd.push({ id: byId[id].id, hidden: !nodeShown(byId[id]) }); }
    for (id in edgePresent) { edgeUpd.push({ id: edgeById[id].id, hidden: !edgeShown(edgeById[id]) }); }
    visNodes.update(nodeUpd); visEdges.update(edgeUpd);
    updateCounts();
  }
  function filterBox(boxId, items, state, swatchOf) {
    var box = document.getElementById(boxId);
    var bulk = el("div", null, "bulk");
    var all = el("button", "全选 all"), none = el("button", "全不选 none");
    all.type = none.type = "button";
    bulk.appendChild(all); bulk.appendChild(none); box.appendChild(bulk);
    var inputs = [];
    items.forEach(function (it) {
      var lab = el("label"), cb = document.createElement("input");
      cb.type = "checkbox"; cb.checked = true; cb.value = it.name; state[it.name] = true;
      cb.addEventListener("change", function () { state[it.name] = cb.checked; applyFilters(); });
      lab.appendChild(cb);
      var sw = el("span", null, "swatch"); sw.style.background = swatchOf(it); lab.appendChild(sw);
      lab.appendChild(el("span", it.zh + " " + it.name));
      lab.appendChild(el("span", String(it.count), "n"));
      if (!it.count) { lab.className = "empty"; }
      box.appendChild(lab); inputs.push(cb);
    });
    function setAll(v) { inputs.forEach(function (cb) { cb.checked = v; state[cb.value] = v; }); applyFilters(); }
    all.addEventListener("click", function () { setAll(true); });
    none.addEventListener("click", function () { setAll(false); });
  }
  filterBox("type-filters", DATA.types, typeOn, function (t) { return t.color; });
  filterBox("pred-filters", DATA.predicates, predOn, function (p) { return p.color; });
  (function yearFilter() {
    var lo = null, hi = null;   // a loop, not Math.min.apply: big pages have too many years for arguments
    DATA.nodes.concat(DATA.edges).forEach(function (x) {
      (x.years || []).forEach(function (y) {
        if (lo === null || y < lo) { lo = y; }
        if (hi === null || y > hi) { hi = y; }
      });
    });
    if (lo === null) { return; }  // no dated article on this page
    var from = document.getElementById("year-from"), to = document.getElementById("year-to");
    var undated = document.getElementById("year-undated");
    from.min = to.min = String(lo); from.max = to.max = String(hi);
    from.value = String(lo); to.value = String(hi);
    function read(box) { var v = parseInt(box.value, 10); return isNaN(v) ? null : v; }
    function update() {
      yearLo = read(from); yearHi = read(to); undatedOn = undated.checked; applyFilters();
    }
    from.addEventListener("change", update); to.addEventListener("change", update);
    from.addEventListener("input", update); to.addEventListener("input", update);
    undated.addEventListener("change", update);
    document.getElementById("year-filter").hidden = false;
  })();
  var edgeLabelBox = document.getElementById("edge-labels");
  edgeLabelBox.checked = showEdgeLabels;
  edgeLabelBox.addEventListener("change", function () {
    showEdgeLabels = edgeLabelBox.checked;
    var upd = [];
    for (var id in edgePresent) {
      upd.push({ id: edgeById[id].id, label: showEdgeLabels ? predName(edgeById[id].predicate) : "" });
    }
    visEdges.update(upd);
  });
  updateCounts();

  // ---------------------------------------------------------------- details panel
  var details = document.getElementById("details");
  function clear() { while (details.firstChild) { details.removeChild(details.firstChild); } }
  function articleRef(aid, title) {
    var info = ARTS[aid] || {};
    var text = title || info.title || aid;
    if (!info.href) { return el("span", text); }
    var a = el("a", text, "article-link"); a.href = ROOT + info.href; return a;
  }
  function edgeKey(e) { return byId[e.from].iri + " " + e.predicate + " " + byId[e.to].iri; }
  function wholeGraphLink(text, what, key) {  // the index holds every article's evidence
    var a = el("a", text, "whole-link"); a.href = ROOT + "index.html#" + what + "=" + encodeURIComponent(key);
    return a;
  }
  function nodeButton(id) {
    var b = el("button", byId[id].label, "node-link"); b.type = "button";
    b.addEventListener("click", function () { focusNode(id); });
    return b;
  }
  function evidenceList(e) {
    var box = el("div");
    if (!e.evidence.length) { box.appendChild(el("div", "无证据句（来自词表或推理）no evidence sentence", "none")); }
    e.evidence.forEach(function (ev) {
      box.appendChild(el("blockquote", ev.sentence, "evidence"));
      var src = el("div", null, "src"), info = ARTS[ev.article_id] || {};
      src.appendChild(document.createTextNode("— "));
      src.appendChild(articleRef(ev.article_id, ev.article_title));
      src.appendChild(document.createTextNode(" · "));
      src.appendChild(el("span", info.issued || "日期不详 undated", "ev-date"));
      if (info.origin) {
        src.appendChild(document.createTextNode(" · "));
        src.appendChild(el("span", "来源 " + info.origin, "ev-origin"));
      }
      src.appendChild(document.createTextNode(" · " + ev.rule + " · " + Number(ev.confidence).toFixed(2)));
      box.appendChild(src);
    });
    if (e.nev && e.nev > e.evidence.length) {
      var more = el("div", null, "more ev-more");
      more.appendChild(document.createTextNode("另有 " + (e.nev - e.evidence.length) + " 条证据 more evidence (" +
        e.nevart + " 篇文章 articles in all): "));
      more.appendChild(wholeGraphLink("全图 whole graph", "e", edgeKey(e)));
      box.appendChild(more);
    }
    return box;
  }
  function dl(rows) {
    var d = el("dl");
    rows.forEach(function (r) {
      d.appendChild(el("dt", r[0]));
      var dd = el("dd");
      if (r[1] instanceof Node) { dd.appendChild(r[1]); } else { dd.textContent = r[1]; }
      d.appendChild(dd);
    });
    return d;
  }
  function showNode(id) {
    var n = byId[id]; if (!n) { return; }
    clear();
    details.setAttribute("data-node", String(id));
    details.appendChild(el("h2", n.label));
    var rows = [["类型 Type", typeName(n.type)]];
    if (n.types.length > 1) { rows.push(["全部类型 All types", n.types.map(typeName).join(", ")]); }
    rows.push(["规范名 Label", n.label]);
    rows.push(["别名 Aliases", n.aliases.length ? n.aliases.join("、") : "—"]);
    if (n.adcode) { rows.push(["行政区划代码 Adcode", n.adcode]); }
    rows.push(["IRI", n.iri]);
    var place = DATA.placeLinks[n.iri];
    if (place) { var pa = el("a", "关联网络 ego view"); pa.href = place; rows.push(["页面 Page", pa]); }
    details.appendChild(dl(rows));
    var missing = neighbours(id).filter(function (m) { return !present[m]; });
    if (missing.length) {  // reduced big graph: this node has neighbours not drawn yet
      var more = el("button", "展开邻居 add its neighbours (" + missing.length + ")", "expand-node");
      more.type = "button";
      more.addEventListener("click", function () { addNodes(missing); showNode(id); });
      details.appendChild(more);
    }
    var nart = n.nart || n.articles.length;
    if (nart) {
      details.appendChild(el("h3", "文章 Articles (" + nart + ")"));
      var ul = el("ul");
      n.articles.forEach(function (aid) { var li = el("li"); li.appendChild(articleRef(aid)); ul.appendChild(li); });
      if (nart > n.articles.length) {
        var li = el("li", null, "more art-more");
        li.appendChild(document.createTextNode("另有 " + (nart - n.articles.length) + " 篇 more: "));
        li.appendChild(wholeGraphLink("全图 whole graph", "n", n.iri));
        ul.appendChild(li);
      }
      details.appendChild(ul);
    }
    var rels = incident[id].slice().sort(function (a, b) {
      var ka = a.predicate + "\u0000" + byId[a.from === id ? a.to : a.from].label;
      var kb = b.predicate + "\u0000" + byId[b.from === id ? b.to : b.from].label;
      return ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
    });
    details.appendChild(el("h3", "关系 Relations (" + rels.length + ")"));
    var list = el("ul");
    rels.forEach(function (e) {
      var li = el("li", null, "rel"), head = el("div");
      var other = e.from === id ? e.to : e.from;
      var dir = e.symmetric ? "↔" : (e.from === id ? "→" : "←");
      head.appendChild(el("span", dir));
      head.appendChild(el("span", predName(e.predicate), "pred"));
      head.appendChild(nodeButton(other));
      li.appendChild(head); li.appendChild(evidenceList(e)); list.appendChild(li);
    });
    details.appendChild(list);
  }
  function showEdge(eid) {
    var e = edgeById[eid]; if (!e) { return; }
    clear();
    details.setAttribute("data-edge", String(eid));
    details.appendChild(el("h2", predName(e.predicate)));
    var head = el("div");
    head.appendChild(nodeButton(e.from));
    head.appendChild(el("span", e.symmetric ? " ↔ " : " → ", "pred"));
    head.appendChild(nodeButton(e.to));
    details.appendChild(head);
    details.appendChild(dl([["置信度 Confidence", Number(e.confidence).toFixed(2)],
                            ["证据 Evidence", String(evCount(e))]]));
    details.appendChild(el("h3", "证据 Evidence"));
    details.appendChild(evidenceList(e));
  }
  function focusNode(id) {
    if (!present[id]) { addNodes([id].concat(neighbours(id))); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 300 } });
    showNode(id);
  }
  STATE.focusNode = focusNode;
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  // ---------------------------------------------------------------- search
  var input = document.getElementById("search"), status = document.getElementById("search-status");
  var names = document.getElementById("search-names");
  // exact label, exact alias, substring of either; then pinyin (n.py: [full, initials], from
  // Python's pypinyin): exact full or initials, prefix of either, substring of the full one.
  // Pinyin hits of one rank come best-connected first (jn: 济南 before 技能).
  function byDeg(a, b) { return b.degree - a.degree || a.id - b.id; }
  function matches(q, limit, pool) {
    var nodes = pool || DATA.nodes;
    var out = [], seen = {}, lq = q.toLowerCase(), pq = lq.replace(/[^a-z0-9]/g, ""), i, n;
    function push(x) { if (!seen[x.id]) { seen[x.id] = true; out.push(x); } }
    for (i = 0; i < nodes.length; i++) { if (nodes[i].label === q) { push(nodes[i]); } }
    for (i = 0; i < nodes.length; i++) { if (nodes[i].aliases.indexOf(q) >= 0) { push(nodes[i]); } }
    for (i = 0; i < nodes.length && out.length < limit; i++) {
      n = nodes[i];
      if (n.label.toLowerCase().indexOf(lq) >= 0 ||
          n.aliases.some(function (a) { return a.toLowerCase().indexOf(lq) >= 0; })) { push(n); }
    }
    if (!pq || out.length >= limit) { return out; }
    var ranks = [[], [], []];
    for (i = 0; i < nodes.length; i++) {
      var py = nodes[i].py;
      if (!py || seen[nodes[i].id]) { continue; }
      if (py[0] === pq || py[1] === pq) { ranks[0].push(nodes[i]); }
      else if (py[0].indexOf(pq) === 0 || py[1].indexOf(pq) === 0) { ranks[1].push(nodes[i]); }
      else if (pq.length > 1 && py[0].indexOf(pq) > 0) { ranks[2].push(nodes[i]); }
    }
    ranks.forEach(function (r) { r.sort(byDeg).forEach(function (x) { if (out.length < limit) { push(x); } }); });
    return out;
  }
  STATE.matches = matches;
  // suggestions follow the typed text (a datalist of every name would be huge on big graphs)
  input.addEventListener("input", function () {
    while (names.firstChild) { names.removeChild(names.firstChild); }
    var q = input.value.trim();
    if (!q) { return; }
    matches(q, 20).slice(0, 20).forEach(function (n) {
      var o = document.createElement("option"); o.value = n.label;
      if (n.aliases.length) { o.label = n.aliases.join("、"); }
      names.appendChild(o);
    });
  });
  function search() {
    var q = input.value.trim();
    status.textContent = "";
    if (!q) { return; }
    var hit = matches(q, 1);
    if (!hit.length) { status.textContent = "未找到 not found: " + q; return; }
    var n = hit[0];
    if (!nodeShown(n)) { status.textContent = "已被类型筛选隐藏 hidden by the type filter"; }
    focusNode(n.id);
  }
  document.getElementById("search-go").addEventListener("click", search);
  // Enter that confirms a Chinese IME composition is not a search yet
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && !ev.isComposing) { search(); } });
  input.addEventListener("change", search);

  // ---------------------------------------------------------------- entities without relations
  var isoBox = document.getElementById("isolated");
  if (isolatedList.length) {
    isoBox.hidden = false;
    document.getElementById("isolated-count").textContent = String(isolatedList.length);
    var isoList = document.getElementById("isolated-list"), isoSearch = document.getElementById("isolated-search");
    var isoButtons = {}, groups = [];
    DATA.types.forEach(function (t) {
      var members = isolatedList.filter(function (n) { return n.type === t.name; });
      if (!members.length) { return; }
      members.sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : a.id - b.id; });
      var box = document.createElement("details"), sum = el("summary");
      box.setAttribute("data-type", t.name);
      var sw = el("span", null, "swatch"); sw.style.background = t.color;
      sum.appendChild(sw); sum.appendChild(document.createTextNode(" " + typeName(t.name) + " "));
      var cnt = el("span", String(members.length), "n"); sum.appendChild(cnt);
      box.appendChild(sum);
      members.forEach(function (n) {
        var b = el("button", n.label, "iso-node"); b.type = "button";
        b.setAttribute("data-id", String(n.id));
        b.addEventListener("click", function () { focusNode(n.id); });
        box.appendChild(b); isoButtons[n.id] = b;
      });
      groups.push({ box: box, members: members, count: cnt });
      isoList.appendChild(box);
    });
    isoSearch.addEventListener("input", function () {
      var q = isoSearch.value.trim(), hit = null;
      if (q) { hit = {}; matches(q, isolatedList.length, isolatedList).forEach(function (n) { hit[n.id] = true; }); }
      groups.forEach(function (g) {
        var k = 0;
        g.members.forEach(function (n) { var on = !hit || !!hit[n.id]; isoButtons[n.id].hidden = !on; if (on) { k++; } });
        g.box.hidden = k === 0; g.box.open = !!hit && k > 0; g.count.textContent = String(k);
      });
    });
    document.getElementById("isolated-show").addEventListener("click", function () {
      addNodes(isolatedList.map(function (n) { return n.id; }));
      network.fit();
    });
  }

  // ---------------------------------------------------------------- #n=IRI / #e=KEY (links from other pages)
  function followHash() {
    var m = /^#([ne])=(.*)$/.exec(window.location.hash), key, i;
    if (!m) { return false; }
    try { key = decodeURIComponent(m[2]); } catch (err) { return false; }
    if (m[1] === "n") {
      for (i = 0; i < DATA.nodes.length; i++) { if (DATA.nodes[i].iri === key) { focusNode(DATA.nodes[i].id); return true; } }
    } else {
      for (i = 0; i < DATA.edges.length; i++) {
        var e = DATA.edges[i];
        if (edgeKey(e) === key) {
          addNodes([e.from, e.to]);
          network.selectEdges([e.id]);
          showEdge(e.id);
          return true;
        }
      }
    }
    return false;
  }
  window.addEventListener("hashchange", followHash);
  if (!followHash() && DATA.focus !== null && byId[DATA.focus]) {
    network.selectNodes([DATA.focus]);
    showNode(DATA.focus);
  }
})();
