// The script of the `elman explain` page, part 1: helpers, the seed question, the unrolled
// network and the backward pass. It computes nothing: every number shown comes from the JSON
// elman wrote into #elman-data, and its element carries data-ref, the JSON pointer of the value
// (tests/browser checks each one). Part 2 (explain_plots.js) draws the norms and the check.
"use strict";

const D = JSON.parse(document.getElementById("elman-data").textContent);
const SVG_NS = "http://www.w3.org/2000/svg";
const MINUS = "\u2212";
const byId = (id) => document.getElementById(id);

// v with `digits` significant digits: fixed for 1e-3 <= |v| < 1e5, else m.mmme±k; "0" for 0.
function fmt(v, digits) {
  if (v === null || v === undefined) return "overflow";
  if (v === 0) return "0";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return (v < 0 ? MINUS : "") + String(Math.abs(v));
  const a = Math.abs(v);
  let s;
  if (a >= 1e-3 && a < 1e5) s = a.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(a))));
  else s = a.toExponential(digits - 1).replace("e+", "e").replace("e-", "e" + MINUS);
  return (v < 0 ? MINUS : "") + s;
}

// A cell's number: 3 significant digits, 2 when that would not fit (7 characters).
function fmtCell(v) {
  const s = fmt(v, 3);
  return s.length > 7 ? fmt(v, 2) : s;
}

function html(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(parent, tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

// Text with subscripts written as x_t, h_{t−1}: appended to an HTML element (as <sub>) or to an
// SVG <text> (as lowered <tspan>s).
function rich(parent, text) {
  const isSvg = parent.namespaceURI === SVG_NS, re = /_\{([^}]*)\}|_([^\s,.;:()[\]·=+−‖|]+)/g;
  let at = 0, m;
  const plain = (t) => { if (t) parent.appendChild(isSvg ? svgSpan(t, 0) : document.createTextNode(t)); };
  while ((m = re.exec(text)) !== null) {
    plain(text.slice(at, m.index));
    const sub = m[1] !== undefined ? m[1] : m[2];
    if (isSvg) { parent.appendChild(svgSpan(sub, 3)); parent.appendChild(svgSpan("\u200b", -3)); }
    else parent.appendChild(html("sub", {}, sub));
    at = re.lastIndex;
  }
  plain(text.slice(at));
  return parent;
}

function svgSpan(text, dy) {
  const t = document.createElementNS(SVG_NS, "tspan");
  if (dy) t.setAttribute("dy", dy);
  if (dy > 0) t.setAttribute("font-size", "75%");
  t.textContent = text;
  return t;
}

// A number of the JSON at pointer `ref`.
function num(v, ref, digits) {
  return html("span", { class: "num", "data-ref": ref, title: String(v) }, fmt(v, digits || 4));
}

function vec(values, ref) {
  const e = html("span", { class: "vec" }, "[");
  values.forEach((v, i) => {
    if (i) e.appendChild(document.createTextNode(", "));
    e.appendChild(num(v, ref + "/" + i));
  });
  e.appendChild(document.createTextNode("]"));
  return e;
}

// A matrix: a table of numbers, or a heat map (hover for the values) when larger than 8×8.
function mat(rows, ref) {
  if (rows.length * rows[0].length > 64) {
    const n = rows[0].length, c = Math.max(4, Math.min(12, Math.floor(480 / n))), m = maxAbs(rows);
    const g = document.createElementNS(SVG_NS, "svg");
    g.setAttribute("width", n * c);
    g.setAttribute("height", rows.length * c);
    rows.forEach((row, i) => row.forEach((v, j) => {
      const r = svg(g, "rect", { x: j * c, y: i * c, width: c, height: c, fill: color(v, m) });
      svg(r, "title", {}, ref + "/" + i + "/" + j + " = " + v);
    }));
    return g;
  }
  const t = html("table", { class: "mat" });
  rows.forEach((row, i) => {
    const tr = t.insertRow();
    row.forEach((v, j) => tr.insertCell().appendChild(num(v, ref + "/" + i + "/" + j)));
  });
  return t;
}

// Red for positive, blue for negative, white at 0; |v| >= m is the full colour.
function color(v, m) {
  const t = Math.max(-1, Math.min(1, m > 0 ? v / m : 0));
  const to = t > 0 ? [178, 24, 43] : [33, 102, 172], a = Math.abs(t);
  return "rgb(" + to.map((c) => Math.round(255 + (c - 255) * a)).join(",") + ")";
}

function maxAbs(arrays) {
  let m = 0;
  for (const a of arrays.flat(2)) if (a !== null) m = Math.max(m, Math.abs(a));
  return m;
}

const N = D.network, F = D.forward, B = D.backward, T = N.steps;
const STEPS = B.steps;
const ACT = { tanh: "1 − h<sub>t</sub>²", relu: "[h<sub>t</sub> &gt; 0]",
              sigmoid: "h<sub>t</sub>·(1 − h<sub>t</sub>)", linear: "1",
              hard_sigmoid: "[0 &lt; h<sub>t</sub> &lt; 1] / 6",
              hard_sigmoid_keras2: "0.2·[0 &lt; h<sub>t</sub> &lt; 1]" };
// Where ∂L/∂h_t comes from: the Dense head's W_y when it is the only layer after the SimpleRNN.
const OUT_EQ = N.layers.length === 2 && N.layers[1].type === "Dense"
  ? (F.output_per_step ? "dL/dŷ<sub>t</sub>·W<sub>y</sub>ᵀ (W<sub>y</sub>: the Dense kernel)"
                       : "dL/dŷ·W<sub>y</sub>ᵀ at t = T, 0 before (only h<sub>T</sub> reaches Dense)")
  : "back through the layers after the SimpleRNN";
let cur = T - 1;  // the backward step shown (processing order, 0-based): t = cur + 1

function fillQuestion() {
  byId("subtitle").textContent = D.source.kind === "demo" ? D.source.description
    : "Model " + D.source.model + " on sequence " + D.source.sequence + " of " + D.source.input;
  byId("command").textContent = D.command;
  byId("version").textContent = D.version;
  for (const e of document.querySelectorAll(".act-name")) e.textContent = N.activation;
  const p = byId("param-formula");
  p.append("U·(F + U + 1) = ", num(N.units, "/network/units"), "·(", num(N.input_dim, "/network/input_dim"),
           " + ", num(N.units, "/network/units"), " + 1) = ", num(N.rnn.params, "/network/rnn/params"));
  rich(p, "  (W_x [F,U], W_h [U,U], b [U]); with the layers after it: ");
  p.append(num(N.total_params, "/network/total_params"));
  byId("summary").textContent = N.summary;
  const s = byId("same-vector"), last = T - 1;
  s.className = "same";
  s.append(html("span", {}, "output of the layer at t = " + T + ":"), vec(F.h[last], "/forward/h/" + last),
           html("span", {}, "state handed on (call().state):"), vec(F.state, "/forward/state"),
           html("span", {}, "identical:"), html("span", { class: F.state_is_output ? "pass" : "fail" },
                                               F.state_is_output ? "yes, the same numbers" : "no"));
}

// The unrolled network: columns h_0, t = 1..T; rows (target,) ŷ, h, a, x from top to bottom.
// Each vector is a column of cells; beside ŷ, h and a their gradients dL/dŷ_t, dL/dh_t and δ_t
// (the last two filled once the backward pass reached the step).
const G = { cells: [], hl: [], back: [] };

function netGeometry() {
  const U = N.units, nf = N.input_dim, perStep = F.output_per_step;
  const K = perStep ? F.y[0].length : F.y.length;
  const show = U <= 8 && nf <= 8 && K <= 8;
  const cw = show ? 48 : 14, ch = show ? 18 : Math.max(3, Math.min(14, Math.floor(170 / U)));
  const m = { U: U, nf: nf, K: K, perStep: perStep, show: show, cw: cw, ch: ch, gap: show ? 40 : 30,
              left: 112, gv: 40, target: F.target !== null };
  m.colW = 2 * cw + 4;
  m.yT = 44;
  m.yY = m.target ? m.yT + K * ch + 26 : m.yT;
  m.yH = m.yY + K * ch + m.gv;
  m.yA = m.yH + U * ch + m.gv;
  m.yX = m.yA + U * ch + m.gv;
  m.height = m.yX + nf * ch + (N.go_backwards ? 30 : 14);
  m.colX = (s) => m.left + cw + m.gap + s * (m.colW + m.gap);
  m.width = m.colX(T) + 4;
  return m;
}

// Drawing primitives on the SVG `g` for geometry `m`.
function netPen(g, m) {
  const scale = { h: maxAbs(F.h), a: maxAbs(F.a), x: maxAbs(F.x), y: maxAbs([F.y, F.target || []]),
                  dh: maxAbs(STEPS.map((st) => st.dh)), delta: maxAbs(STEPS.map((st) => st.delta)),
                  dy: maxAbs([D.loss.dL_dy]) };
  const pen = {};
  pen.label = (x, y, text, cls) => rich(svg(g, "text", { x: x, y: y, class: cls || "label" }), text);
  // A column of cells for `values` at (x, y); `kind` picks the colour scale; a gradient is outlined.
  pen.box = (x, y, values, ref, kind, grad) => ({
    rects: values.map((v, i) => {
      const r = svg(g, "rect", { x: x, y: y + i * m.ch, width: m.cw, height: m.ch, fill: color(v, scale[kind]),
                                 stroke: grad ? "#7a1fa2" : "#8a93a6", "stroke-width": grad ? 1.4 : 0.6 });
      svg(r, "title", {}, ref + "/" + i + " = " + v);
      return r;
    }),
    texts: values.map((v, i) => !m.show ? null : svg(g, "text", {
      x: x + m.cw / 2, y: y + i * m.ch + m.ch / 2 + 3.5, "text-anchor": "middle", class: "cell-text",
      "data-ref": ref + "/" + i, fill: Math.abs(v) > 0.6 * scale[kind] ? "#fff" : "#1d2330" }, fmtCell(v))),
  });
  pen.arrow = (x1, y1, x2, y2, kind, text, tx, ty) => {
    const l = svg(g, "line", { x1: x1, y1: y1, x2: x2, y2: y2, stroke: kind === "bw" ? "#b2182b" : "#6b7385",
                               "stroke-width": 1.4, "stroke-dasharray": kind === "bw" ? "4 3" : "none",
                               "marker-end": "url(#arrow-" + kind + ")" });
    if (text) pen.label(tx, ty, text);
    return l;
  };
  return pen;
}

function drawColumn(pen, g, m, s) {
  const x = m.colX(s), gx = x + m.cw + 4, st = STEPS[s], mid = x + m.cw / 2, U = m.U, ch = m.ch;
  G.hl.push(svg(g, "rect", { x: x - 8, y: 22, width: m.colW + 16, height: m.height - 24, fill: "#fff6cc",
                             visibility: "hidden" }));
  svg(g, "text", { x: x + m.colW / 2, y: 16, "text-anchor": "middle", class: "head" }, "t = " + (s + 1));
  if (N.go_backwards)  // the processing step s + 1 reads x at time T − s
    rich(svg(g, "text", { x: x + m.colW / 2, y: m.yX + m.nf * ch + 12, "text-anchor": "middle", class: "label" }),
         "x_{" + F.time_index[s] + "}");
  if (m.perStep || s === T - 1) {
    const p = m.perStep ? "/" + s : "";
    if (m.target) pen.box(x, m.yT, m.perStep ? F.target[s] : F.target, "/forward/target" + p, "y", false);
    pen.box(x, m.yY, m.perStep ? F.y[s] : F.y, "/forward/y" + p, "y", false);
    pen.box(gx, m.yY, m.perStep ? D.loss.dL_dy[s] : D.loss.dL_dy, "/loss/dL_dy" + p, "dy", true);
    pen.arrow(mid, m.yH - 2, mid, m.yY + m.K * ch + 2, "fw",
              (m.show || s === 0 || !m.perStep) && (N.layers.length > 2 ? "layers" : "Dense"), mid + 4, m.yY + m.K * ch + 22);
  }
  pen.box(x, m.yH, F.h[s], "/forward/h/" + s, "h", false);
  pen.box(x, m.yA, F.a[s], "/forward/a/" + s, "a", false);
  pen.box(x, m.yX, F.x[s], "/forward/x/" + s, "x", false);
  const gh = pen.box(gx, m.yH, st.dh, "/backward/steps/" + s + "/dh", "dh", true);
  const gd = pen.box(gx, m.yA, st.delta, "/backward/steps/" + s + "/delta", "delta", true);
  const named = m.show || s === 0;  // narrow columns: the arrows are named once
  pen.arrow(mid, m.yX - 2, mid, m.yA + U * ch + 2, "fw", named && "·W_x", mid + 4, m.yX - 14);
  pen.arrow(mid, m.yA - 2, mid, m.yH + U * ch + 2, "fw", named && N.activation, mid + 4, m.yA - 14);
  const px = s === 0 ? m.left + m.cw : m.colX(s - 1) + m.colW;
  pen.arrow(px + 2, m.yH + (U * ch) / 2, x - 3, m.yA + (U * ch) / 2 - 6, "fw");
  if (named)
    rich(svg(g, "text", { x: (px + x) / 2 - 6, y: (m.yH + m.yA + U * ch) / 2 + 2, "text-anchor": "end", class: "label" }),
         "·W_h");
  G.back.push(pen.arrow(x - 3, m.yA + (U * ch) / 2 + 6, px + 2, m.yH + (U * ch) / 2 + 12, "bw"));
  G.cells.push({ h: gh, d: gd, values: [st.dh, st.delta] });
}

function drawNet() {
  const m = netGeometry(), g = byId("net");
  g.setAttribute("viewBox", "0 0 " + m.width + " " + m.height);
  // Scaled to the page when a little wider than it (still readable), else scrolled.
  const room = g.parentNode.clientWidth - 2;
  g.setAttribute("width", m.width <= 1.3 * room ? Math.min(m.width, room) : m.width);
  g.setAttribute("height", (m.width <= 1.3 * room ? Math.min(m.width, room) / m.width : 1) * m.height);
  const defs = svg(g, "defs");
  for (const [id, c] of [["fw", "#6b7385"], ["bw", "#b2182b"]]) {
    const mk = svg(defs, "marker", { id: "arrow-" + id, viewBox: "0 0 10 10", refX: 9, refY: 5,
                                     markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    svg(mk, "path", { d: "M0,0 L10,5 L0,10 z", fill: c });
  }
  const pen = netPen(g, m);
  if (m.target) pen.label(6, m.yT + 12, m.perStep ? "y_t (target)" : "y (target)", "head");
  pen.label(6, m.yY + 12, m.perStep ? "ŷ_t  |  dL/dŷ_t" : "ŷ  |  dL/dŷ", "head");
  pen.label(6, m.yH + 12, "h_t = output", "head");
  pen.label(6, m.yH + 28, "|  dL/dh_t");
  pen.label(6, m.yA + 12, "a_t", "head");
  pen.label(6, m.yA + 28, "|  δ_t = dL/da_t");
  pen.label(6, m.yX + 12, "x_t", "head");
  pen.label(m.left, m.yH - 8, "h_0");
  pen.box(m.left, m.yH, F.h0, "/forward/h0", "h", false);
  for (let s = 0; s < T; s++) drawColumn(pen, g, m, s);
}

// Shows the gradient cells of the steps the backward pass has reached (s >= cur).
function updateNet() {
  G.cells.forEach((c, s) => {
    const on = s >= cur;
    for (const [i, b] of [c.h, c.d].entries())
      b.rects.forEach((r, j) => {
        r.setAttribute("fill-opacity", on ? 1 : 0);
        r.setAttribute("stroke-dasharray", on ? "none" : "2 2");
        const t = b.texts[j];
        if (!t) return;
        t.textContent = on ? fmtCell(c.values[i][j]) : "";
        if (on) t.setAttribute("data-ref", (i ? "/backward/steps/" + s + "/delta/" : "/backward/steps/" + s + "/dh/") + j);
        else t.removeAttribute("data-ref");
      });
    G.hl[s].setAttribute("visibility", s === cur ? "visible" : "hidden");
    G.back[s].setAttribute("visibility", on ? "visible" : "hidden");
  });
}

function updateStep() {
  const s = cur, st = STEPS[s], t = s + 1, p = "/backward/steps/" + s + "/";
  byId("bw-t").textContent = t;
  byId("bw-t2").textContent = t;
  byId("bw-slider").value = t;
  const rows = [
    ["∂L/∂h<sub>t</sub> from the output", OUT_EQ, vec(st.dh_out, p + "dh_out")],
    ["+ from step t+1", t === T ? "nothing after step T" : "δ<sub>t+1</sub>·W<sub>h</sub>ᵀ", vec(st.dh_rec, p + "dh_rec")],
    ["= dL/dh<sub>t</sub> = g<sub>t</sub>", "what trace mode recorded", vec(st.dh, p + "dh")],
    ["act'(a<sub>t</sub>)", ACT[N.activation], vec(st.dact, p + "dact")],
    ["δ<sub>t</sub> = dL/da<sub>t</sub>", "g<sub>t</sub> ⊙ act'(a<sub>t</sub>)", vec(st.delta, p + "delta")],
    ["dW<sub>x</sub> so far", "Σ<sub>s=t..T</sub> x<sub>s</sub>ᵀ·δ<sub>s</sub> &nbsp; [F,U]", mat(st.dWx, p + "dWx")],
    ["dW<sub>h</sub> so far", "Σ<sub>s=t..T</sub> h<sub>s−1</sub>ᵀ·δ<sub>s</sub> &nbsp; [U,U]", mat(st.dWh, p + "dWh")],
    ["db so far", "Σ<sub>s=t..T</sub> δ<sub>s</sub> &nbsp; [U]", vec(st.db, p + "db")],
  ];
  const table = byId("step-table");
  table.textContent = "";
  for (const [name, eq, value] of rows) {
    const tr = table.insertRow();
    tr.insertCell().innerHTML = name;
    tr.insertCell().innerHTML = eq;
    tr.insertCell().appendChild(html("div", { class: "value" })).appendChild(value);
  }
  byId("bw-step").disabled = t === 1;
  byId("bw-back").disabled = t === T;
  updateNet();
}

function setStep(s) {
  cur = Math.max(0, Math.min(T - 1, s));
  updateStep();
}

function wireBackward() {
  byId("bw-T").textContent = T;
  const slider = byId("bw-slider");
  slider.max = T;
  byId("bw-step").addEventListener("click", () => setStep(cur - 1));
  byId("bw-back").addEventListener("click", () => setStep(cur + 1));
  byId("bw-reset").addEventListener("click", () => setStep(T - 1));
  slider.addEventListener("input", () => setStep(Number(slider.value) - 1));
  let timer = null;
  const play = byId("bw-play");
  play.addEventListener("click", () => {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
    if (cur === 0) setStep(T - 1);
    play.textContent = "pause";
    timer = setInterval(() => {
      if (cur === 0) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
      setStep(cur - 1);
    }, 1200);
  });
  const note = byId("sums-note");
  rich(note, "At t = 1 the running sums are complete: they differ from the fused backward's own dW_x, dW_h, db by at most ");
  note.append(num(B.final_vs_fused, "/backward/final_vs_fused", 2));
  rich(note, ". Trace mode's dL/dh_t equals the sum of its two parts to within ");
  note.append(num(B.split_residual, "/backward/split_residual", 2), ".");
  rich(byId("loss-line"), "Loss: " + D.loss.formula + " = ");
  byId("loss-line").append(num(D.loss.value, "/loss/value"), ".");
}
