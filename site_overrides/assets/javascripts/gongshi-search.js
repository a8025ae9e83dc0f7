// 公示台 search page: queries the sharded index in /search-index/ (built by
// generator/site/search_index.py, whose query() is the reference of this file: same steps,
// same files, same answers). A query downloads only the few index files it needs.
(function () {
  "use strict";
  var form = document.getElementById("gs-search-form");
  if (!form) return;
  var input = document.getElementById("gs-search-q");
  var status = document.getElementById("gs-search-status");
  var list = document.getElementById("gs-search-results");
  var more = document.getElementById("gs-search-more");
  var root = form.getAttribute("data-root") || "../";
  var base = root + "search-index/";
  // results shown per step (the form's data-page-size, else 20)
  function pageSize() { return parseInt(form.getAttribute("data-page-size"), 10) || 20; }
  var BUDGET = 60; // files read per step before asking to go on

  // the separator ranges of search_index.segments, read from meta.json (one home: Python)
  var SEPARATORS = [];
  var CONT = "0123456789abcdefghijklmnopqrstuv";
  var LAST = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz_~";

  function normalize(s) {
    return s.normalize("NFKC").replace(/[a-z]/g, function (c) { return c.toUpperCase(); });
  }
  function kind(ch) {
    var o = ch.codePointAt(0);
    if (o < 0x80) return /[0-9A-Z]/.test(ch) ? 1 : 0;
    for (var i = 0; i < SEPARATORS.length; i++) {
      if (o >= SEPARATORS[i][0] && o <= SEPARATORS[i][1]) return 0;
    }
    return 2;
  }
  // [[segment as an array of characters, is ASCII], ...]
  function segments(text) {
    var out = [], cur = [], curKind = 0;
    for (var ch of text) {
      var k = kind(ch);
      if (k !== curKind && cur.length) { out.push([cur, curKind === 1]); cur = []; }
      curKind = k;
      if (k) cur.push(ch);
    }
    if (cur.length) out.push([cur, curKind === 1]);
    return out;
  }
  function queryTerms(segs, maxTerms) {
    var terms = [];
    segs.forEach(function (s) {
      var seg = s[0];
      if (s[1]) { if (seg.length >= 2) terms.push(seg.join("")); return; }
      if (seg.length < 2) return;
      for (var i = 0; i + 1 < seg.length; i += 2) terms.push(seg[i] + seg[i + 1]);
      if (seg.length % 2) terms.push(seg[seg.length - 2] + seg[seg.length - 1]);
    });
    terms = unique(terms);
    if (terms.length > maxTerms) {
      var half = Math.floor(maxTerms / 2);
      terms = unique(terms.slice(0, half).concat(terms.slice(terms.length - half)));
    }
    return terms;
  }
  function unique(xs) {
    var seen = new Set();
    return xs.filter(function (x) { if (seen.has(x)) return false; seen.add(x); return true; });
  }
  function matches(text, qsegs) {
    var words = null;
    for (var i = 0; i < qsegs.length; i++) {
      var seg = qsegs[i][0].join("");
      if (qsegs[i][1] && qsegs[i][0].length >= 2) {
        if (words === null) {
          words = new Set(segments(text).filter(function (s) { return s[1]; })
            .map(function (s) { return s[0].join(""); }));
        }
        if (!words.has(seg)) return false;
      } else if (text.indexOf(seg) < 0) {
        return false;
      }
    }
    return true;
  }
  function isCodeQuery(q) {
    var chars = Array.from(q);
    return chars.length >= 2 && chars.length <= 18 && chars.every(function (c) { return kind(c) === 1; });
  }
  function fnv1a(term) {
    var h = 0x811C9DC5;
    new TextEncoder().encode(term).forEach(function (b) { h = Math.imul(h ^ b, 0x01000193) >>> 0; });
    return h >>> 0;
  }
  function decodeIds(text, start) {
    var out = [], prev = (start || 0) - 1, v = 0;
    for (var i = 0; i < text.length; i++) {
      var d = CONT.indexOf(text[i]);
      if (d >= 0) { v = v * 32 + d; continue; }
      v = v * 32 + LAST.indexOf(text[i]);
      prev = prev + v + 1;
      out.push(prev);
      v = 0;
    }
    return out;
  }
  function intersect(lists) {
    lists = lists.slice().sort(function (a, b) { return a.length - b.length; });
    var out = lists[0];
    for (var i = 1; i < lists.length; i++) {
      var s = new Set(lists[i]);
      out = out.filter(function (d) { return s.has(d); });
    }
    return out;
  }
  function bisectLeft(xs, x) {
    var lo = 0, hi = xs.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // -- the index, read on demand --------------------------------------------------------------
  var cache = new Map();
  var reads = 0;
  function get(rel) {
    if (!cache.has(rel)) {
      reads++;
      cache.set(rel, fetch(base + rel).then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }));
    }
    return cache.get(rel);
  }
  var metaPromise = null;
  function meta() {
    if (!metaPromise) metaPromise = get("meta.json");
    return metaPromise;
  }
  async function record(doc) {
    var m = await meta();
    var chunk = await get("r/" + Math.floor(doc / m.chunk) + ".json");
    return chunk[doc % m.chunk];
  }
  async function entry(term) {
    var m = await meta();
    var bucket = await get("d/" + (fnv1a(term) % m.buckets) + ".json");
    return bucket && Object.prototype.hasOwnProperty.call(bucket, term) ? bucket[term] : null;
  }
  async function page(term, e, k) {
    var m = await meta();
    var text = await get("p/" + (fnv1a(term) % m.buckets) + "/" + e[1] + "-" + k + ".json");
    return decodeIds(text, k * m.range);
  }
  async function* codeDocs(prefix) {
    var m = await meta();
    if (!m.enterprises) return;
    var g = Math.max(0, bisectLeft(m.groups, prefix) - 1);
    var firsts = await get("c/" + g + ".json");
    var c = g * m.group + Math.max(0, bisectLeft(firsts, prefix) - 1);
    for (var doc = c * m.chunk; doc < m.enterprises; doc++) {
      var code = (await record(doc))[2];
      if (code.startsWith(prefix)) yield doc;
      else if (code > prefix) return;
    }
  }
  // Candidates from the rare terms, narrowed by the frequent ones (search_index._narrow).
  async function narrow(cands, paged) {
    var m = await meta();
    var span = m.range, idBytes = m.plan[0], recordBytes = m.plan[1];
    paged.sort(function (a, b) {
      return a[1][0] - b[1][0] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    });
    for (var i = 0; i < paged.length; i++) {
      var term = paged[i][0], e = paged[i][1];
      var ranges = new Set(decodeIds(e[2], 0));
      cands = cands.filter(function (d) { return ranges.has(Math.floor(d / span)); });
      var needed = Array.from(new Set(cands.map(function (d) { return Math.floor(d / span); })))
        .sort(function (a, b) { return a - b; });
      if (!cands.length || e[0] / ranges.size * needed.length * idBytes > cands.length * m.chunk * recordBytes) continue;
      var lists = await Promise.all(needed.map(function (k) { return page(term, e, k); }));
      var ids = new Set();
      lists.forEach(function (l) { l.forEach(function (d) { ids.add(d); }); });
      cands = cands.filter(function (d) { return ids.has(d); });
    }
    return cands;
  }
  async function* search(text) {
    var m = await meta();
    var q = normalize(text).trim();
    var qsegs = segments(q);
    var seen = new Set();
    if (isCodeQuery(q)) {
      for await (var doc of codeDocs(q)) { seen.add(doc); yield doc; }
    }
    var terms = queryTerms(qsegs, m.max_terms);
    if (!terms.length) return;
    var entries = await Promise.all(terms.map(entry));
    if (entries.some(function (e) { return e === null; })) return;
    async function* checked(cands) {
      for (var i = 0; i < cands.length; i++) {
        if (seen.has(cands[i])) continue;
        var rec = await record(cands[i]);
        if (matches(normalize(rec[1] + " " + rec[2]), qsegs)) yield cands[i];
      }
    }
    var inline = entries.filter(function (e) { return typeof e[1] === "string"; })
      .map(function (e) { return decodeIds(e[1], 0); });
    if (inline.length) {
      var paged = terms.map(function (t, i) { return [t, entries[i]]; })
        .filter(function (te) { return typeof te[1][1] !== "string"; });
      yield* checked(await narrow(intersect(inline), paged));
      return;
    }
    var ranges = intersect(entries.map(function (e) { return decodeIds(e[2], 0); }));
    for (var r = 0; r < ranges.length; r++) {
      var lists = await Promise.all(terms.map(function (t, i) { return page(t, entries[i], ranges[r]); }));
      yield* checked(intersect(lists));
    }
  }

  // -- the page -------------------------------------------------------------------------------
  var running = null;
  var shown = 0;
  function say(text) { status.textContent = text; }
  function show(rec) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "gs-search-result";
    a.href = root + rec[0];
    a.textContent = rec[1];
    var detail = document.createElement("div");
    detail.className = "gs-search-detail";
    detail.textContent = [rec[2], rec[3]].filter(Boolean).join(" · ");
    li.appendChild(a);
    li.appendChild(detail);
    list.appendChild(li);
    shown++;
  }
  async function step(run) {
    more.hidden = true;
    say("正在查询……");
    var startReads = reads, found = 0, want = pageSize();
    try {
      while (found < want) {
        if (reads - startReads > BUDGET) break;
        var next = await run.it.next();
        if (run !== running) return;
        if (next.done) { run.done = true; break; }
        var rec = await record(next.value);
        if (run !== running) return; // a newer query started meanwhile
        show(rec);
        found++;
      }
    } catch (err) {
      if (run === running) say("查询失败：无法读取搜索索引（" + err.message + "）。请稍后重试。");
      return;
    }
    if (run !== running) return;
    if (run.done) {
      say(shown ? "共找到 " + shown + " 条结果。" : "未找到与「" + run.text + "」相关的已公示结果。");
    } else {
      say("已显示 " + shown + " 条结果，可能还有更多。");
      more.textContent = found ? "显示更多" : "继续查找";
      more.hidden = false;
    }
  }
  async function start(text) {
    list.textContent = "";
    shown = 0;
    more.hidden = true;
    var q = normalize(text).trim();
    if (!q) { running = null; say(""); return; }
    var token = {};
    running = token;
    try {
      SEPARATORS = (await meta()).separators;
    } catch (err) {
      if (running === token) say("查询失败：无法读取搜索索引（" + err.message + "）。请稍后重试。");
      return;
    }
    if (running !== token) return; // a newer query started meanwhile
    var segs = segments(q);
    if (!isCodeQuery(q) && !segs.some(function (s) { return s[0].length >= 2; })) {
      running = null;
      say("请至少输入两个字，或统一社会信用代码的前几位。");
      return;
    }
    running = { text: text.trim(), it: search(text), done: false };
    step(running);
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url.toString());
    start(input.value);
  });
  more.addEventListener("click", function () { if (running) step(running); });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; start(q); }
})();
