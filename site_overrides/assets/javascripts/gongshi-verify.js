// 公示台 in-browser verifier (the protocol page, protocols 1 and 2).
//
// Reads only the published bundle (draws/<task>/…, log/draws.jsonl) and recomputes: the log
// chain, the commitment H(code) = C, every committed file hash, the key string, every ticket
// (HKDF-SHA256, RFC 5869), population, strata, k, the selection and cut-offs, the selection
// hash and the results hash; in protocol 2 also the recusal rows of the selected enterprises
// (RFC 6962 inclusion proofs against the announced recusals_root) and people.csv against the
// reveal entry's people_sha256. Web Crypto in secure contexts; otherwise the vendored, audited
// @noble/hashes (see ../vendor/README.md). Groups are recomputed by verify.py only.

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

// ---------------------------------------------------------------------------------- hashing

let noble = null;
async function loadNoble() {
  if (!noble) {
    const base = new URL("../vendor/noble-hashes/", import.meta.url);
    const [sha2, hmac] = await Promise.all([
      import(new URL("sha2.js", base).href),
      import(new URL("hmac.js", base).href),
    ]);
    noble = { sha256: sha2.sha256, hmac: hmac.hmac };
  }
  return noble;
}

const subtle = globalThis.isSecureContext && globalThis.crypto && globalThis.crypto.subtle;
export const engine = subtle ? "Web Crypto" : "@noble/hashes";
const ENGINE_TEXT = subtle ? "浏览器内置的加密功能"
  : "本站附带的哈希程序（浏览器在未加密的连接上不提供内置加密功能）";

async function sha256(bytes) {
  if (subtle) return new Uint8Array(await subtle.digest("SHA-256", bytes));
  const n = await loadNoble();
  return n.sha256(bytes);
}

async function hmacSha256(key, data) {
  if (subtle) {
    const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle.sign("HMAC", k, data));
  }
  const n = await loadNoble();
  return n.hmac(n.sha256, key, data);
}

// A keyed ticket function: HKDF-Expand(PRK, label, 32) = HMAC(PRK, label || 0x01).
async function ticketer(prk) {
  if (subtle) {
    const k = await subtle.importKey("raw", prk, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return async (label) => hex(new Uint8Array(await subtle.sign("HMAC", k, concat(enc.encode(label), Uint8Array.of(1)))));
  }
  const n = await loadNoble();
  return async (label) => hex(n.hmac(n.sha256, prk, concat(enc.encode(label), Uint8Array.of(1))));
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(s) {
  if (!/^[0-9a-f]{64}$/.test(s)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

// RFC 8785 for our domain (ASCII keys, strings, integers, booleans, lists, objects).
function jcs(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
  return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",") + "}";
}

// ----------------------------------------------------------------------------------- files

function csvRows(bytes, header) {
  const lines = dec.decode(bytes).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const rows = lines.map((l) => l.split(","));
  return header ? { header: rows[0] || [], rows: rows.slice(1) } : { header: [], rows };
}

async function fetchBytes(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) return null;
  return new Uint8Array(await r.arrayBuffer());
}

// ------------------------------------------------------------------------------- snapshot store

const SNAPSHOT_FILES = ["directory.csv", "roster.csv", "experts.csv"];
const PATCH_MAGIC = "gongshi-snapshot-patch 1";

/** The bytes of snapshot `sha` from draws/snapshots.d/: `<sha>.csv`, or `<sha>.patch` applied to
 * its base (same steps as generator/protocol/snapshots.py); null when the store has neither.
 * The caller checks the bytes against the announce entry's hash. */
async function snapshotBytes(root, sha) {
  if (!/^[0-9a-f]{64}$/.test(sha)) return null;
  const store = `${root}draws/snapshots.d/`;
  const full = await fetchBytes(`${store}${sha}.csv`);
  if (full) return full;
  const patch = await fetchBytes(`${store}${sha}.patch`);
  if (!patch) return null;
  const lines = dec.decode(patch).split("\n");
  const m = /^base ([0-9a-f]{64})$/.exec(lines[1] || "");
  if (lines[0] !== PATCH_MAGIC || !m || lines[lines.length - 1] !== "") throw new Error(`${sha}.patch 不是快照增量文件`);
  const base = await fetchBytes(`${store}${m[1]}.csv`);
  if (!base) throw new Error(`增量文件的基础快照 ${m[1]}.csv 不存在`);
  const baseLines = dec.decode(base).split("\n");
  baseLines.pop();
  const head = baseLines.shift();
  const rows = new Map(baseLines.map((l) => [l.split(",", 1)[0], l]));
  let prev = null;
  for (const line of lines.slice(2, -1)) {
    const op = line[0], row = line.slice(1), key = row.split(",", 1)[0];
    if (prev !== null && !(bytesLess(enc.encode(prev), enc.encode(key)))) throw new Error(`${sha}.patch 的行未按首列排序`);
    prev = key;
    if (op === "-" && key === row && rows.has(key)) rows.delete(key);
    else if (op === "+" && row) rows.set(key, row);
    else throw new Error(`${sha}.patch 有无法识别的行`);
  }
  const keys = [...rows.keys()].map((k) => [enc.encode(k), k]).sort((a, b) => (bytesLess(a[0], b[0]) ? -1 : 1));
  return enc.encode(head + "\n" + keys.map(([, k]) => rows.get(k) + "\n").join(""));
}

function bytesLess(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

// ------------------------------------------------------------------------------- protocol

function meets(row, c) {
  const v = row[c.column];
  if (v === undefined) return false;
  switch (c.op) {
    case "eq": return v === c.value;
    case "in": return c.value.includes(v);
    case "prefix": return v.startsWith(c.value);
    case "before": return v < c.value;
    case "after": return v > c.value;
    default: return false;
  }
}

function kOf(stratum, n) {
  if (stratum.count !== undefined) return Math.min(n, stratum.count);
  const m = /^(0|[1-9][0-9]{0,2})(?:\.([0-9]{1,4}))?%$/.exec(stratum.ratio);
  if (!m) return null;
  const frac = m[2] || "";
  const p = BigInt(m[1] + frac);
  const q = 100n * 10n ** BigInt(frac.length);
  const N = BigInt(n);
  const k = (p * N + q - 1n) / q;
  return Number(k < N ? k : N);
}

function keyString(params, sourcesJson) {
  let ks = "";
  params.sources.forEach((spec, i) => {
    const nums = (sourcesJson.sources[i] || { numbers: [] }).numbers.map((x) => String(BigInt(x)));
    const ordered = spec.ordered ? nums : nums.slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    ks += ordered.map((x) => x + ".").join("") + "/";
  });
  return ks;
}

// RFC 9162 §2.1.3.2: the root that an inclusion proof gives for leaf `index` of a tree of `size`.
async function checkInclusion(proof, size, index, leaf) {
  if (!(index >= 0 && index < size) || proof.some((p) => !p)) return null;
  let fn = index, sn = size - 1, r = leaf;
  const node = async (a, b) => { const m = new Uint8Array(65); m[0] = 1; m.set(a, 1); m.set(b, 33); return sha256(m); };
  for (const p of proof) {
    if (sn === 0) return null;
    if ((fn & 1) || fn === sn) {
      r = await node(p, r);
      while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else r = await node(r, p);
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r : null;
}

function cmpTicket(a, b) {
  return a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** Verify one task; returns {checks: [{name, ok, detail[]}], self: {...} | null}. */
export async function verifyTask(root, taskId, selfCode, opts = {}) {
  const checks = [];
  const add = (name, ok, detail = []) => checks.push({ name, ok, detail });
  const base = `${root}draws/${encodeURIComponent(taskId)}/`;
  const names = ["params.json", "directory.csv", "roster.csv", "experts.csv", "sources.json", "exclusions.csv",
    "listing-0.csv", "listing.csv", "code.txt", "cutoffs.csv", "results.csv"];
  const v2names = ["recusals-selected.csv", "people.csv"];
  const files = {};
  await Promise.all(names.concat(v2names).map(async (n) => { files[n] = await fetchBytes(base + n); }));
  const logBytes = await fetchBytes(`${root}log/draws.jsonl`);
  if (!logBytes) { add("抽取日志", false, ["无法读取 log/draws.jsonl"]); return { checks, self: null }; }

  // 1. the log chain
  const entries = [];
  const chainDiffs = [];
  let prev = "0".repeat(64);
  const lines = dec.decode(logBytes).split("\n").filter((l) => l.length);
  for (let i = 0; i < lines.length; i++) {
    let e;
    try { e = JSON.parse(lines[i]); } catch { chainDiffs.push(`第 ${i + 1} 行不是合法 JSON`); continue; }
    const { hash, ...body } = e;
    if (jcs(e) !== lines[i]) chainDiffs.push(`第 ${i + 1} 条记录不是规范 JSON（RFC 8785）`);
    const h = hex(await sha256(enc.encode(jcs(body))));
    if (h !== hash) chainDiffs.push(`第 ${i + 1} 条记录哈希应为 ${h}，记录中为 ${hash}`);
    if (e.prev !== prev) chainDiffs.push(`第 ${i + 1} 条记录的 prev 与上一条哈希不符`);
    if (e.seq !== i) chainDiffs.push(`第 ${i + 1} 条记录的 seq 为 ${e.seq}，应为 ${i}`);
    prev = hash;
    entries.push(e);
  }
  add("抽取日志哈希链", chainDiffs.length === 0, chainDiffs);
  const mine = entries.filter((e) => e.task === taskId);
  const announce = mine.find((e) => e.type === "announce");
  const draw = mine.find((e) => e.type === "draw");
  const reveal = mine.find((e) => e.type === "reveal");
  const publish = mine.filter((e) => e.type === "publish").pop();
  const reassigns = mine.filter((e) => e.type === "reassign");
  if (announce) {
    // inputs kept once in the snapshot store, by the announce entry's hash (protocol §18)
    for (const n of SNAPSHOT_FILES) {
      const want = (announce.inputs || {})[n];
      if (files[n] || !want) continue;
      try { files[n] = await snapshotBytes(root, want.sha256); }
      catch (err) { add(`快照库（${n}）`, false, [String(err.message || err)]); }
    }
  }
  const missing = names.filter((n) => !files[n] && !(n === "results.csv"));
  if (missing.length) add("文件齐全", false, [`缺少文件：${missing.join("、")}`]);
  if (!announce || !draw || !reveal) {
    add("日志记录", false, ["日志中缺少本任务的公告、抽取或揭示记录"]);
    return { checks, self: null };
  }
  if (missing.length) return { checks, self: null };
  const v2 = /"protocol":"gongshi-draw\/2"/.test(dec.decode(files["params.json"]));
  if (v2) {
    const gone = v2names.filter((n) => !files[n]);
    if (gone.length) { add("文件齐全（协议 2）", false, [`缺少文件：${gone.join("、")}`]); return { checks, self: null }; }
  }

  // 2. commitment
  const codeText = dec.decode(files["code.txt"]);
  const code = /^[0-9a-f]{64}\n$/.test(codeText) ? unhex(codeText.trim()) : null;
  if (!code) add("一次性码格式", false, ["code.txt 应为 64 个小写十六进制字符加换行"]);
  else {
    const c = hex(await sha256(code));
    add("承诺：H(一次性码) = 承诺", c === announce.commitment, c === announce.commitment ? [] : [`计算得 ${c}，公告条目的承诺 ${announce.commitment}`]);
    if (reveal.code !== undefined) add("揭示条目中的一次性码", reveal.code === codeText.trim(), reveal.code === codeText.trim() ? [] : [`日志 ${reveal.code}，文件 ${codeText.trim()}`]);
  }

  // 3. committed inputs
  const ph = hex(await sha256(files["params.json"]));
  add("参数对象哈希（params.json）", ph === announce.params_sha256, ph === announce.params_sha256 ? [] : [`计算得 ${ph}，公告 ${announce.params_sha256}`]);
  for (const n of ["directory.csv", "roster.csv", "experts.csv"]) {
    const want = (announce.inputs || {})[n];
    const got = hex(await sha256(files[n]));
    const rows = csvRows(files[n], true).rows.length;
    const ok = want && want.sha256 === got && want.rows === rows;
    add(`输入文件哈希（${n}）`, !!ok, ok ? [] : [`计算得 ${got}（${rows} 行），公告 ${want ? want.sha256 + "（" + want.rows + " 行）" : "无"}`]);
  }
  if (code) {
    const want = (announce.inputs || {})["exclusions.csv"];
    const got = hex(await sha256(concat(code, files["exclusions.csv"])));
    const ok = !want || want.sha256 === got;
    add("排除名单承诺（exclusions.csv）", ok, ok ? [] : [`计算得 ${got}，公告 ${want.sha256}`]);
  }

  // 4. key string
  let params, sourcesJson;
  try { params = JSON.parse(dec.decode(files["params.json"])); sourcesJson = JSON.parse(dec.decode(files["sources.json"])); }
  catch { add("参数文件", false, ["params.json 或 sources.json 不是合法 JSON"]); return { checks, self: null }; }
  const ks = keyString(params, sourcesJson);
  const ksOk = ks === draw.key_string && ks === sourcesJson.key_string;
  add("key string", ksOk, ksOk ? [] : [`由开奖号码计算得 ${ks}，抽取条目 ${draw.key_string}，sources.json ${sourcesJson.key_string}`]);
  if (!code) return { checks, self: null };

  // 5. tickets, population, strata, selection
  const dir = csvRows(files["directory.csv"], true);
  const rows = dir.rows.map((r) => Object.fromEntries(dir.header.map((h, i) => [h, r[i]])));
  const excluded = new Set(csvRows(files["exclusions.csv"], true).rows.map((r) => r[0]));
  const prk = await hmacSha256(code, enc.encode(draw.key_string));
  const ticket = await ticketer(prk);
  const strata = params.strata.map((s) => ({ ...s, members: [], before: 0 }));
  const stratumOf = new Map();
  for (const row of rows) {
    if (!params.population.every((c) => meets(row, c))) continue;
    const s = strata.find((st) => st.when.every((c) => meets(row, c)));
    if (!s) continue;
    s.before++;
    stratumOf.set(row.code, s);
    if (!excluded.has(row.code)) s.members.push({ code: row.code, ticket: await ticket(row.code) });
  }
  const beforeDiffs = [];
  for (const s of strata) {
    const want = (announce.strata || []).find((x) => x.label === s.label);
    if (!want || want.N_before !== s.before) beforeDiffs.push(`${s.label}：计算得 ${s.before} 户，公告 ${want ? want.N_before : "无"}`);
  }
  add("各层规模（公告时）", beforeDiffs.length === 0, beforeDiffs);
  const selected = [];
  const cutRows = csvRows(files["cutoffs.csv"], true).rows;
  const cutDiffs = [];
  for (const s of strata) {
    s.members.sort(cmpTicket);
    const k = kOf(s, s.members.length);
    s.k = k;
    s.cutoff = k > 0 ? s.members[k - 1].ticket : "";
    s.members.slice(0, k).forEach((m) => selected.push({ ...m, stratum: s.label }));
    const row = cutRows.find((r) => r[0] === s.label);
    const mine = [s.label, String(s.members.length), String(k), s.cutoff].join(",");
    if (!row || row.join(",") !== mine) cutDiffs.push(`${s.label}：计算得 ${mine}，cutoffs.csv 为 ${row ? row.join(",") : "无"}`);
  }
  add("各层企业数、抽取数和截止签号（cutoffs.csv）", cutDiffs.length === 0, cutDiffs);

  // 6. listing at draw time and now
  const lsHash = hex(await sha256(files["listing-0.csv"]));
  add("清单哈希（listing-0.csv 与抽取条目）", lsHash === draw.selection_sha256, lsHash === draw.selection_sha256 ? [] : [`计算得 ${lsHash}，抽取条目 ${draw.selection_sha256}`]);
  const lastHash = reassigns.length ? reassigns[reassigns.length - 1].selection_sha256 : draw.selection_sha256;
  const lHash = hex(await sha256(files["listing.csv"]));
  add("当前清单哈希（listing.csv）", lHash === lastHash, lHash === lastHash ? [] : [`计算得 ${lHash}，日志 ${lastHash}`]);
  const listed = new Map(csvRows(files["listing-0.csv"], false).rows.map((r) => [r[0], r]));
  const selDiffs = [];
  for (const m of selected) {
    const r = listed.get(m.code);
    if (!r) selDiffs.push(`企业 ${m.code} 应被抽中（签号 ${m.ticket}），清单中没有`);
    else if (r[1] !== m.stratum || r[2] !== m.ticket) selDiffs.push(`企业 ${m.code}：应为 ${m.stratum} 层、签号 ${m.ticket}；清单为 ${r[1]} 层、签号 ${r[2]}`);
  }
  const selSet = new Set(selected.map((m) => m.code));
  for (const code of listed.keys()) if (!selSet.has(code)) selDiffs.push(`企业 ${code} 在清单中，但按规则不应被抽中`);
  add(`入选名单（重新计算 ${rows.length} 家企业的签号，入选 ${selected.length} 家）`, selDiffs.length === 0, selDiffs.slice(0, 20));

  // 6b. protocol 2: the selected enterprises' recusal rows and the display file
  if (v2) {
    const codes = dir.rows.map((r) => r[0]);
    const at = new Map(codes.map((c, i) => [c, i]));
    const rec = csvRows(files["recusals-selected.csv"], true).rows;
    const recDiffs = [];
    const recCodes = new Set(rec.map((r) => r[0]));
    for (const c of selSet) if (!recCodes.has(c)) recDiffs.push(`缺少入选企业 ${c} 的回避行`);
    for (const c of recCodes) if (!selSet.has(c)) recDiffs.push(`企业 ${c} 未入选，其回避不得公开`);
    const rootHex = announce.recusals_root;
    for (const r of rec) {
      const [c, salt, ids, index, proof] = r;
      if (String(at.get(c)) !== index) { recDiffs.push(`企业 ${c} 的叶子序号应为 ${at.get(c)}，实际为 ${index}`); continue; }
      const leaf = await sha256(concat(Uint8Array.of(0), enc.encode([c, salt, ids].join(","))));
      const ok = await checkInclusion(proof ? proof.split(";").map(unhex) : [], codes.length, Number(index), leaf);
      if (hex(ok || new Uint8Array()) !== rootHex) recDiffs.push(`企业 ${c} 的回避行与公告时的回避承诺 recusals_root 不符`);
    }
    add(`回避承诺（入选的 ${rec.length} 家企业的回避行与 recusals_root）`, recDiffs.length === 0, recDiffs.slice(0, 20));
    const pHash = hex(await sha256(files["people.csv"]));
    add("显示文件哈希（people.csv 与揭示条目）", pHash === reveal.people_sha256, pHash === reveal.people_sha256 ? [] : [`计算得 ${pHash}，揭示条目 ${reveal.people_sha256}`]);
  }

  // 7. results
  if (publish) {
    const rh = hex(await sha256(files["results.csv"]));
    const resCodes = new Set(csvRows(files["results.csv"], true).rows.map((r) => r[0]));
    const diffs = [];
    if (rh !== publish.results_sha256) diffs.push(`计算得 ${rh}，结果公示记录 ${publish.results_sha256}`);
    for (const c of selSet) if (!resCodes.has(c)) diffs.push(`抽中企业 ${c} 没有检查结果`);
    for (const c of resCodes) if (!selSet.has(c)) diffs.push(`企业 ${c} 有检查结果但未被抽中`);
    add("检查结果文件（results.csv）", diffs.length === 0, diffs);
    if (rh === publish.results_sha256) await checkCopies(root, taskId, files["results.csv"], opts.vocab || {}, add);
  }

  // 8. an enterprise's own check
  let self = null;
  if (selfCode) {
    const codeUp = selfCode.trim().toUpperCase();
    const s = stratumOf.get(codeUp);
    self = { code: codeUp, inDirectory: rows.some((r) => r.code === codeUp) };
    if (s) {
      self.stratum = s.label;
      self.ticket = await ticket(codeUp);
      self.cutoff = s.cutoff;
      self.excluded = excluded.has(codeUp);
      self.selected = !self.excluded && s.cutoff !== "" && self.ticket <= s.cutoff;
      self.listed = listed.has(codeUp);
    }
  }
  return { checks, self };
}

// ------------------------------------------------- the published copies of the logged results

/** A CSV file (RFC 4180 quoting, BOM, CRLF) as rows of fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  text = text.replace(/^\ufeff/, "");
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** ``2023-06-09`` -> ``2023年6月9日``, as the pages write dates. */
function chineseDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : iso;
}

/** Does ``text`` name exactly the terms of ``codes`` (in any order, joined by 、)? */
function namesExactly(text, codes, labels) {
  const names = codes.map((c) => labels[c] || c).sort((a, b) => b.length - a.length);
  if (!names.length) return text === "—";
  let rest = text;
  for (const name of names) {
    const at = rest.indexOf(name);
    if (at < 0) return false;
    rest = rest.slice(0, at) + "\u0000" + rest.slice(at + name.length);
  }
  return /^\u0000(、\u0000)*$/.test(rest);
}

function setOf(cell) {
  return cell ? cell.split(";").filter((x) => x).sort() : [];
}

/** The task page's result table and the open-data CSV files against the logged results.csv
 * (whose hash the publish entry holds): every enterprise once, the same date, results and
 * follow-ups. */
async function checkCopies(root, taskId, loggedBytes, vocab, add) {
  const logged = new Map();
  for (const r of csvRows(loggedBytes, true).rows) {
    logged.set(r[0], { inspected: r[1], completed: r[2], results: setOf(r[3]), followups: setOf(r[4]) });
  }
  const results = vocab.results || {}, followups = vocab.followups || {};
  const compare = (seen, diffs) => {
    for (const code of logged.keys()) if (!seen.has(code)) diffs.push(`缺少企业 ${code}`);
  };

  // the task page
  const diffs = [];
  const page = await fetch(`${root}tasks/${encodeURIComponent(taskId)}/`, { cache: "no-store" });
  if (!page.ok) diffs.push("无法读取任务页面");
  else {
    const doc = new DOMParser().parseFromString(await page.text(), "text/html");
    const seen = new Set();
    for (const tr of doc.querySelectorAll("table.gs-results tbody tr")) {
      const text = (sel) => { const e = tr.querySelector(sel); return e ? e.textContent.trim() : ""; };
      const code = text("td.gs-c-name .gs-code");
      const want = logged.get(code);
      if (!want) { diffs.push(`页面列出企业 ${code}，日志记录的结果中没有`); continue; }
      if (seen.has(code)) diffs.push(`页面重复列出企业 ${code}`);
      seen.add(code);
      if (text("td.gs-c-date") !== chineseDate(want.inspected)) diffs.push(`企业 ${code} 的检查日期：页面为 ${text("td.gs-c-date")}，日志记录为 ${chineseDate(want.inspected)}`);
      if (!namesExactly(text("td.gs-c-result"), want.results, results)) diffs.push(`企业 ${code} 的检查结果：页面为“${text("td.gs-c-result")}”，日志记录为“${want.results.map((c) => results[c] || c).join("、")}”`);
      if (!namesExactly(text("td.gs-c-followup"), want.followups, followups)) diffs.push(`企业 ${code} 的后续处置：页面为“${text("td.gs-c-followup")}”，日志记录为“${want.followups.map((c) => followups[c] || c).join("、")}”`);
    }
    compare(seen, diffs);
  }
  add("任务页面的检查结果表与日志记录的结果文件", diffs.length === 0, diffs.slice(0, 20));

  // the open data
  for (const path of ["data/results.csv", `data/${encodeURIComponent(taskId)}/results.csv`]) {
    const d = [];
    const r = await fetch(root + path, { cache: "no-store" });
    if (!r.ok) d.push(`无法读取 ${path}`);
    else {
      const [head, ...rows] = parseCsv(await r.text());
      const col = (name) => head.indexOf(name);
      const [cTask, cCode, cDate, cDone, cRes, cResCodes, cFollow] =
        ["任务编号", "统一社会信用代码", "检查日期", "完成日期", "检查结果", "检查结果代码", "后续处置"].map(col);
      const seen = new Set();
      const plain = (v) => (v && v[0] === "'" && /^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v || "");
      for (const row of rows) {
        if (plain(row[cTask]) !== taskId) continue;
        const code = plain(row[cCode]);
        const want = logged.get(code);
        if (!want) { d.push(`${path} 列出企业 ${code}，日志记录的结果中没有`); continue; }
        if (seen.has(code)) d.push(`${path} 重复列出企业 ${code}`);
        seen.add(code);
        if (plain(row[cDate]) !== want.inspected || plain(row[cDone]) !== want.completed) d.push(`企业 ${code} 的日期：${path} 为 ${plain(row[cDate])}/${plain(row[cDone])}，日志记录为 ${want.inspected}/${want.completed}`);
        if (setOf(plain(row[cResCodes])).join(";") !== want.results.join(";") || !namesExactly(plain(row[cRes]), want.results, results)) d.push(`企业 ${code} 的检查结果：${path} 为“${plain(row[cRes])}”（${plain(row[cResCodes])}），日志记录为 ${want.results.join(";")}`);
        if (!namesExactly(plain(row[cFollow]) || "—", want.followups, followups)) d.push(`企业 ${code} 的后续处置：${path} 为“${plain(row[cFollow])}”`);
      }
      compare(seen, d);
    }
    add(`开放数据 ${path} 与日志记录的结果文件`, d.length === 0, d.slice(0, 20));
  }
}

// ------------------------------------------------------------------------------------- UI

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** The anchor status the site build computed with verify.py's own code (draws/index.json):
 * whether an RFC 3161 timestamp or a witness cosignature proves the announcement was logged
 * before the earliest draw time. The browser shows it; it does not re-check the CMS token. */
export async function anchorStatus(root, taskId) {
  const data = await fetchBytes(`${root}draws/index.json`);
  if (!data) return null;
  try { return (JSON.parse(dec.decode(data))[taskId] || {}).anchor || null; } catch { return null; }
}

function renderAnchor(out, anchor) {
  const box = el("p", { class: "gs-note", id: "gs-verify-anchor", "data-proven": anchor && anchor.proven ? "1" : "0" });
  if (anchor && anchor.proven) {
    box.append(el("span", { class: "gs-ok" }, "公告时间已经外部证明"),
      `：${anchor.kind === "rfc3161" ? "RFC 3161 时间戳" : "见证人副署"}时间 ${anchor.time}，早于最早的随机源开奖时间 ${anchor.earliest}。`);
  } else {
    box.append(el("strong", { class: "gs-bad" }, "公告时间未经外部证明"),
      `：${anchor ? anchor.detail : "没有外部锚定记录"}。`);
  }
  box.append("（网站生成时由 verify.py 的代码核验；浏览器未重新核验时间戳签名，完整核验请运行 verify.py --require-anchors。）");
  out.append(box);
}

function render(out, taskId, result) {
  out.replaceChildren();
  const allOk = result.checks.every((c) => c.ok);
  out.append(el("h2", { id: "gs-verify-verdict" }, `核验结果：${allOk ? "一致" : "不一致"}`));
  out.append(el("p", {}, `任务 ${taskId}；计算方式：${ENGINE_TEXT}。`));
  const list = el("ul", { class: "gs-check" });
  for (const c of result.checks) {
    const li = el("li", { "data-ok": c.ok ? "1" : "0" },
      el("span", { class: c.ok ? "gs-ok" : "gs-bad" }, c.ok ? "一致" : "不一致"), "　", c.name);
    if (c.detail.length) {
      const ul = el("ul");
      c.detail.forEach((d) => ul.append(el("li", {}, el("code", { class: "gs-hex" }, d))));
      li.append(ul);
    }
    list.append(li);
  }
  out.append(list);
  if (result.anchor !== undefined) renderAnchor(out, result.anchor);
  if (result.self) {
    const s = result.self;
    const box = el("div", { class: "gs-note", id: "gs-verify-self" });
    box.append(el("h3", {}, `企业自查：${s.code}`));
    if (!s.stratum) {
      box.append(el("p", {}, s.inDirectory ? "该企业在名录中，但不在本任务的抽查对象范围内。" : "本任务的名录中没有该统一社会信用代码。"));
    } else {
      const dl = el("table", {}, el("tbody", {},
        el("tr", {}, el("th", { scope: "row" }, "所在分层"), el("td", {}, s.stratum)),
        el("tr", {}, el("th", { scope: "row" }, "本企业签号"), el("td", {}, el("code", { class: "gs-hex" }, s.ticket))),
        el("tr", {}, el("th", { scope: "row" }, "该层截止签号"), el("td", {}, el("code", { class: "gs-hex" }, s.cutoff || "—"))),
        el("tr", {}, el("th", { scope: "row" }, "结论"), el("td", {},
          s.excluded ? "该企业按排除规则未参加本次抽取" :
            (s.selected ? "签号不大于截止签号：应入选" : "签号大于截止签号：不应入选") +
            (s.selected === s.listed ? "；与公布的清单一致" : "；与公布的清单不一致")))));
      box.append(el("div", { class: "gs-table" }, dl));
    }
    out.append(box);
  }
}

function init() {
  const form = document.getElementById("gs-verify-form");
  if (!form) return;
  const root = form.dataset.root || "";
  const status = document.getElementById("gs-verify-status");
  const out = document.getElementById("gs-verify-result");
  const params = new URLSearchParams(location.search);
  if (params.get("task")) form.task.value = params.get("task");
  if (params.get("code")) form.code.value = params.get("code");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const taskId = form.task.value;
    status.textContent = "正在下载公开文件并重新计算……";
    out.replaceChildren();
    try {
      const vocabEl = document.getElementById("gs-vocab");
      const vocab = vocabEl ? JSON.parse(vocabEl.textContent) : {};
      const result = await verifyTask(root, taskId, form.code.value, { vocab });
      result.anchor = await anchorStatus(root, taskId);
      render(out, taskId, result);
      status.textContent = "核验完成。";
    } catch (e) {
      status.textContent = `核验出错：${e && e.message ? e.message : e}`;
    }
  });
  if (params.get("task") && params.get("code")) form.requestSubmit();
}

init();
