// policykg explorer: builds the vis-network view and the side panel from the JSON in #data.
// Data is only ever put into the page with textContent / DOM properties, never parsed as markup.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var byId = {};          // node id -> node record
  var edgeById = {};      // edge id -> edge record
  var incident = {};      // node id -> [edge record]
  var typeInfo = {}, predInfo = {};
  DATA.types.forEach(function (t) { typeInfo[t.name] = t; });
  DATA.predicates.forEach(function (p) { predInfo[p.name] = p; });
  DATA.nodes.forEach(function (n) { byId[n.id] = n; incident[n.id] = []; });
  DATA.edges.forEach(function (e) {
    edgeById[e.id] = e;
    incident[e.from].push(e);
    if (e.to !== e.from) { incident[e.to].push(e); }
  });

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    if (cls) { x.className = cls; }
    return x;
  }
  function typeName(t) { var i = typeInfo[t]; return i ? i.zh + " " + t : t; }
  function predName(p) { var i = predInfo[p]; return i ? i.label : p; }
  function colorOf(t) { var i = typeInfo[t]; return i ? i.color : "#bab0ac"; }

  // ---------------------------------------------------------------- vis data
  function nodeTooltip(n) {  // plain text: vis 9 puts string titles into innerText
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
      if (e.evidence.length > 1) { lines.push("(+" + (e.evidence.length - 1) + " 条证据 more evidence)"); }
    }
    return lines.join("\n");
  }
  var showEdgeLabels = !!DATA.edgeLabels;
  var visNodes = new vis.DataSet(DATA.nodes.map(function (n) {
    var c = colorOf(n.type);
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, title: nodeTooltip(n),
      color: { background: c, border: "#555", highlight: { background: c, border: "#000" },
               hover: { background: c, border: "#000" } },
      borderWidth: n.id === DATA.focus ? 4 : 1
    };
  }));
  var visEdges = new vis.DataSet(DATA.edges.map(function (e) {
    var p = predInfo[e.predicate];
    var out = {
      id: e.id, from: e.from, to: e.to, title: edgeTooltip(e),
      label: showEdgeLabels ? predName(e.predicate) : "",
      arrows: e.symmetric ? "" : "to",
      dashes: e.evidence.length === 0,
      color: { color: p ? p.color : "#999", highlight: "#000", hover: "#333", opacity: 0.85 },
      width: 1 + Math.min(e.evidence.length, 4) * 0.5
    };
    out.smooth = e.roundness ? { enabled: true, type: "curvedCW", roundness: e.roundness } : false;
    return out;
  }));
  var big = DATA.edges.length > 1500;
  var counts = document.getElementById("counts");
  var font = DATA.font;
  // Positions come from Python (fixed seed) and physics is off, so pages open fast; only
  // big graphs (DATA.physics) get a bounded Barnes-Hut stabilisation, then physics goes off.
  var physics = DATA.physics ? {
    enabled: true, solver: "barnesHut",
    barnesHut: { gravitationalConstant: -4000, springLength: 120, springConstant: 0.04, damping: 0.35, avoidOverlap: 0.1 },
    stabilization: { enabled: true, iterations: 200, updateInterval: 20, fit: true }
  } : false;
  var network = new vis.Network(document.getElementById("network"), { nodes: visNodes, edges: visEdges }, {
    autoResize: true,
    physics: physics,
    layout: { improvedLayout: false, randomSeed: 7 },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big },
    nodes: { shape: "dot", font: { face: font, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { font: { face: font, size: 10, color: "#444", align: "middle", strokeWidth: 3, strokeColor: "#ffffff" },
             selectionWidth: 2, hoverWidth: 1 }
  });

  if (DATA.physics) {
    network.on("stabilizationProgress", function (p) {
      counts.textContent = "布局中 laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      applyFilters();  // restores the node/edge counts
    });
  }

  // ---------------------------------------------------------------- legend, counts
  var legend = document.getElementById("legend");
  DATA.types.forEach(function (t) {
    var row = el("div", null, "item");
    var sw = el("span", null, "swatch"); sw.style.background = t.color;
    row.appendChild(sw); row.appendChild(el("span", typeName(t.name)));
    legend.appendChild(row);
  });

  // ---------------------------------------------------------------- filters
  var typeOn = {}, predOn = {};
  function applyFilters() {
    var nodeUpd = [], edgeUpd = [], shownN = 0, shownE = 0;
    DATA.nodes.forEach(function (n) {
      var vis_ = typeOn[n.type] !== false;
      if (vis_) { shownN++; }
      nodeUpd.push({ id: n.id, hidden: !vis_ });
    });
    DATA.edges.forEach(function (e) {
      var vis_ = predOn[e.predicate] !== false && typeOn[byId[e.from].type] !== false &&
                 typeOn[byId[e.to].type] !== false;
      if (vis_) { shownE++; }
      edgeUpd.push({ id: e.id, hidden: !vis_ });
    });
    visNodes.update(nodeUpd); visEdges.update(edgeUpd);
    counts.textContent = "节点 nodes " + shownN + "/" + DATA.nodes.length +
      " · 关系 edges " + shownE + "/" + DATA.edges.length;
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
      box.appendChild(lab); inputs.push(cb);
    });
    function setAll(v) { inputs.forEach(function (cb) { cb.checked = v; state[cb.value] = v; }); applyFilters(); }
    all.addEventListener("click", function () { setAll(true); });
    none.addEventListener("click", function () { setAll(false); });
  }
  filterBox("type-filters", DATA.types, typeOn, function (t) { return t.color; });
  filterBox("pred-filters", DATA.predicates, predOn, function (p) { return p.color; });
  var edgeLabelBox = document.getElementById("edge-labels");
  edgeLabelBox.checked = showEdgeLabels;
  edgeLabelBox.addEventListener("change", function () {
    showEdgeLabels = edgeLabelBox.checked;
    visEdges.update(DATA.edges.map(function (e) {
      return { id: e.id, label: showEdgeLabels ? predName(e.predicate) : "" };
    }));
  });
  applyFilters();

  // ---------------------------------------------------------------- details panel
  var details = document.getElementById("details");
  function clear() { while (details.firstChild) { details.removeChild(details.firstChild); } }
  function articleRef(aid, title) {
    var href = DATA.articleLinks[aid];
    var text = title || DATA.articleTitles[aid] || aid;
    if (!href) { return el("span", text); }
    var a = el("a", text); a.href = href; return a;
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
      box.appendChild(el("blockquote", ev.sentence));
      var src = el("div", null, "src");
      src.appendChild(document.createTextNode("— "));
      src.appendChild(articleRef(ev.article_id, ev.article_title));
      src.appendChild(document.createTextNode(" · " + ev.rule + " · " + Number(ev.confidence).toFixed(2)));
      box.appendChild(src);
    });
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
    if (n.articles.length) {
      details.appendChild(el("h3", "文章 Articles (" + n.articles.length + ")"));
      var ul = el("ul");
      n.articles.forEach(function (aid) { var li = el("li"); li.appendChild(articleRef(aid)); ul.appendChild(li); });
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
    details.appendChild(el("h2", predName(e.predicate)));
    var head = el("div");
    head.appendChild(nodeButton(e.from));
    head.appendChild(el("span", e.symmetric ? " ↔ " : " → ", "pred"));
    head.appendChild(nodeButton(e.to));
    details.appendChild(head);
    details.appendChild(dl([["置信度 Confidence", Number(e.confidence).toFixed(2)],
                            ["证据 Evidence", String(e.evidence.length)]]));
    details.appendChild(el("h3", "证据 Evidence"));
    details.appendChild(evidenceList(e));
  }
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 300 } });
    showNode(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  // ---------------------------------------------------------------- search
  var names = document.getElementById("search-names"), seen = {};
  DATA.nodes.slice().sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; })
    .forEach(function (n) {
      [n.label].concat(n.aliases).forEach(function (s) {
        if (seen[s]) { return; } seen[s] = true;
        var o = document.createElement("option"); o.value = s; names.appendChild(o);
      });
    });
  var input = document.getElementById("search"), status = document.getElementById("search-status");
  function find(q) {
    var i, n;
    for (i = 0; i < DATA.nodes.length; i++) { if (DATA.nodes[i].label === q) { return DATA.nodes[i]; } }
    for (i = 0; i < DATA.nodes.length; i++) { if (DATA.nodes[i].aliases.indexOf(q) >= 0) { return DATA.nodes[i]; } }
    var lq = q.toLowerCase();
    for (i = 0; i < DATA.nodes.length; i++) {
      n = DATA.nodes[i];
      if (n.label.toLowerCase().indexOf(lq) >= 0 ||
          n.aliases.some(function (a) { return a.toLowerCase().indexOf(lq) >= 0; })) { return n; }
    }
    return null;
  }
  function search() {
    var q = input.value.trim();
    status.textContent = "";
    if (!q) { return; }
    var n = find(q);
    if (!n) { status.textContent = "未找到 not found: " + q; return; }
    if (typeOn[n.type] === false) { status.textContent = "已被类型筛选隐藏 hidden by the type filter"; }
    focusNode(n.id);
  }
  document.getElementById("search-go").addEventListener("click", search);
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { search(); } });
  input.addEventListener("change", search);

  if (DATA.focus !== null && byId[DATA.focus]) {
    network.selectNodes([DATA.focus]);
    showNode(DATA.focus);
  }
})();
