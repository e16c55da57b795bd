(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function safeUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null; }
  function kindLabel(kind) { return (data.styles[kind] || {label: kind}).label; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }

  function nodeTooltip(info) {
    var box = el("div");
    box.appendChild(el("div", info.name, "tt-title"));
    if (info.kind === "paper") {
      var bits = [info.year ? String(info.year) : "year unknown"];
      if (info.authors && info.authors.length) {
        bits.push(info.authors.slice(0, 3).join(", ") + (info.n_authors > 3 ? " et al." : ""));
      }
      box.appendChild(el("div", "Paper · " + bits.join(" · "), "tt-sub"));
      if (safeUrl(info.url)) box.appendChild(el("div", info.url, "tt-sub"));
    } else {
      box.appendChild(el("div", kindLabel(info.kind) + " · " + plural(info.paper_count, "paper"), "tt-sub"));
      if (info.aliases && info.aliases.length) {
        box.appendChild(el("div", "Also: " + info.aliases.join(", "), "tt-sub"));
      }
    }
    return box;
  }
  function edgeText(info) {
    if (info.role) return [info.role + (info.text ? " “" + info.text + "”" : ""), info.sentence];
    if (info.entities) {
      var head = "shares " + plural(info.n_entities, "entity", "entities") + " (weight " + info.weight + ")";
      return [head, info.entities.join(", ")];
    }
    if (info.via) return ["builds on, via", info.via.join(", ")];
    return [data.rels[info.rel] || info.rel, ""];
  }
  function edgeTooltip(info) {
    var box = el("div"), t = edgeText(info);
    box.appendChild(el("div", t[0], "tt-title"));
    if (t[1]) box.appendChild(el("div", t[1], "tt-quote"));
    return box;
  }

  var baseNode = {}, baseEdge = {};
  data.nodes.forEach(function (n) {
    n.title = nodeTooltip(n.kg);
    baseNode[n.id] = {color: n.color, font: n.font};
  });
  data.edges.forEach(function (e) { e.title = edgeTooltip(e.kg); baseEdge[e.id] = {color: e.color}; });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(byId("kg-network"), {nodes: nodes, edges: edges}, data.options);
  var kg = window.kg = {network: network, nodes: nodes, edges: edges, ready: false, selected: null};

  function finish() {
    if (kg.ready) return;
    network.stopSimulation();
    network.setOptions({physics: {enabled: false}});
    byId("kg-loading").hidden = true;
    kg.ready = true;
    document.body.setAttribute("data-ready", "true");
    if (data.focus.length && nodes.get(data.focus[0])) {  // focus view: select it, keep the whole picture
      network.selectNodes([data.focus[0]]); highlight(data.focus[0]); details(data.focus[0]);
    }
  }
  network.on("stabilizationProgress", function (p) {
    byId("kg-loading").textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", finish);
  if (!data.nodes.length) finish();
  setTimeout(finish, 20000);

  var DIM_NODE = {background: "#e4e7eb", border: "#d3d8de"}, DIM_TEXT = "rgba(31,41,51,0.25)";
  var DIM_EDGE = {color: "#e4e7eb", opacity: 0.35};
  function highlight(id) {
    var near = new Set(network.getConnectedNodes(id)); near.add(id);
    var nearEdges = new Set(network.getConnectedEdges(id));
    nodes.update(nodes.getIds().map(function (n) {
      if (near.has(n)) return {id: n, color: baseNode[n].color, font: baseNode[n].font};
      return {id: n, color: DIM_NODE, font: {color: DIM_TEXT, size: baseNode[n].font.size}};
    }));
    edges.update(edges.getIds().map(function (e) {
      return {id: e, color: nearEdges.has(e) ? baseEdge[e].color : DIM_EDGE};
    }));
    kg.selected = id;
  }
  function reset() {
    if (kg.selected === null) return;
    nodes.update(nodes.getIds().map(function (n) {
      return {id: n, color: baseNode[n].color, font: baseNode[n].font};
    }));
    edges.update(edges.getIds().map(function (e) { return {id: e, color: baseEdge[e].color}; }));
    kg.selected = null;
    byId("kg-details").hidden = true;
  }

  function details(id) {
    var node = nodes.get(id), info = node.kg, panel = byId("kg-details");
    panel.replaceChildren();
    var close = el("button", "×", "close");
    close.title = "Close";
    close.onclick = function () { network.unselectAll(); reset(); };
    panel.appendChild(close);
    panel.appendChild(el("h2", info.name));
    if (info.kind === "paper") {
      panel.appendChild(el("div", "Paper" + (info.year ? " · " + info.year : "") +
        (info.paper_id ? " · id " + info.paper_id : ""), "meta"));
      if (info.authors && info.authors.length) {
        panel.appendChild(el("div", info.authors.join(", ") +
          (info.n_authors > info.authors.length ? " et al." : ""), "meta"));
      }
      var url = safeUrl(info.url);
      if (url) {
        var a = el("a", url);
        a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
        panel.appendChild(a);
      }
    } else {
      panel.appendChild(el("div", kindLabel(info.kind) + " · " + plural(info.paper_count, "paper") +
        (info.shown_papers < info.paper_count ? " (" + info.shown_papers + " shown)" : ""), "meta"));
      if (info.aliases && info.aliases.length) {
        panel.appendChild(el("div", "Also: " + info.aliases.join(", "), "meta"));
      }
    }
    var groups = {};
    network.getConnectedEdges(id).forEach(function (eid) {
      var e = edges.get(eid), out = e.from === id, names = data.directions[e.kg.rel] || [e.kg.rel, e.kg.rel];
      var head = out ? names[0] : names[1];
      (groups[head] = groups[head] || []).push({id: out ? e.to : e.from, note: edgeText(e.kg)[1]});
    });
    Object.keys(groups).sort().forEach(function (head) {
      panel.appendChild(el("div", head + " (" + groups[head].length + ")", "tt-title"));
      var ul = el("ul");
      groups[head].forEach(function (item) {
        var li = el("li"), b = el("button", nodes.get(item.id).kg.name);
        if (item.note) b.title = item.note;
        b.onclick = function () { focusNode(item.id, true); };
        li.appendChild(b); ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    panel.hidden = false;
  }
  function focusNode(id, animate) {
    network.selectNodes([id]);
    highlight(id);
    details(id);
    var animation = animate === false ? false : {duration: 450, easingFunction: "easeInOutQuad"};
    network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: animation});
  }
  kg.focusNode = focusNode;
  network.on("click", function (params) {
    if (params.nodes.length) { highlight(params.nodes[0]); details(params.nodes[0]); }
    else if (!params.edges.length) reset();
  });

  // Search: a datalist of names; exact name or alias first, then the first name containing the text.
  var names = [], exact = new Map(), seen = new Map();
  data.nodes.slice().sort(function (a, b) {
    return (b.kg.kind !== "paper") - (a.kg.kind !== "paper") ||
      (b.kg.paper_count || 0) - (a.kg.paper_count || 0) || a.kg.name.localeCompare(b.kg.name);
  }).forEach(function (n) {
    var name = n.kg.name;
    if (seen.has(name.toLowerCase())) name = name + " (" + kindLabel(n.kg.kind) + ")";
    seen.set(name.toLowerCase(), n.id);
    names.push([name, n.id]);
    exact.set(name.toLowerCase(), n.id);
  });
  data.nodes.forEach(function (n) {
    (n.kg.aliases || []).forEach(function (a) {
      if (!exact.has(a.toLowerCase())) exact.set(a.toLowerCase(), n.id);
    });
  });
  var list = byId("kg-names");
  names.forEach(function (pair) {
    var option = document.createElement("option");
    option.value = pair[0];  // a property, not markup
    list.appendChild(option);
  });
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) return null;
    if (exact.has(q)) return exact.get(q);
    for (var i = 0; i < names.length; i++) if (names[i][0].toLowerCase().indexOf(q) >= 0) return names[i][1];
    return null;
  }
  var search = byId("kg-search"), msg = byId("kg-search-msg");
  function go(strict) {
    var q = search.value.trim().toLowerCase();
    var id = strict ? (exact.has(q) ? exact.get(q) : null) : find(search.value);
    msg.textContent = !strict && search.value.trim() && id === null ? "No match" : "";
    if (id !== null && (!strict || id !== kg.selected)) focusNode(id, true);
  }
  // Picking from the datalist or typing an exact name fires "input"; Enter also takes partial names.
  search.addEventListener("input", function () { go(true); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); go(false); }
  });

  // Legend checkboxes show/hide a node kind or a relationship.
  document.querySelectorAll("#kg-legend input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      var kind = box.getAttribute("data-kind"), rel = box.getAttribute("data-rel");
      var set = kind ? nodes : edges;
      set.update(set.get({filter: function (item) { return kind ? item.kg.kind === kind : item.kg.rel === rel; }})
        .map(function (item) { return {id: item.id, hidden: !box.checked}; }));
    });
  });
})();
