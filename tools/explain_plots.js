// The script of the `elman explain` page, part 2: ‖dL/dh_t‖ per step on a log scale for the
// scales of W_h, the fused / composed / finite-difference table, the notes, and the start.

const NORMS = D.norms;

// The colour of scale s: blues below 1 (vanishing), grey at 1, reds above (exploding).
function scaleColor(s) {
  if (Math.abs(s - 1) < 1e-9) return "#4d4d4d";
  const t = Math.min(1, Math.abs(s - 1) / 0.6);
  return s < 1 ? color(-(0.35 + 0.65 * t), 1) : color(0.35 + 0.65 * t, 1);
}

function drawNorms(selected) {
  const g = byId("norm-plot");
  g.textContent = "";
  const W = 900, H = 380, l = 70, r = 18, top = 14, b = 44, n = NORMS.steps;
  g.setAttribute("viewBox", "0 0 " + W + " " + H);
  const curves = [];
  NORMS.families.forEach((f, fi) => f.curves.forEach((c, ci) =>
    curves.push({ c: c, ref: "/norms/families/" + fi + "/curves/" + ci, dash: fi ? "6 4" : "none",
                  color: scaleColor(c.scale), on: ci === selected, width: fi ? 1.6 : 2.2 })));
  curves.push({ c: NORMS.own, ref: "/norms/own", dash: "2 3", color: "#000", on: true, width: 2.4 });
  const values = curves.flatMap((k) => k.c.norms).filter((v) => v !== null && v > 0);
  let lo = Math.floor(Math.log10(Math.min(...values))), hi = Math.ceil(Math.log10(Math.max(...values)));
  if (hi === lo) hi = lo + 1;
  lo = Math.max(lo, hi - 60);
  const X = (t) => l + ((t - 1) / Math.max(1, n - 1)) * (W - l - r);
  const Y = (v) => top + ((hi - Math.log10(v)) / (hi - lo)) * (H - top - b);
  const every = Math.ceil((hi - lo) / 12);
  for (let k = lo; k <= hi; k += every) {
    svg(g, "line", { x1: l, x2: W - r, y1: Y(10 ** k), y2: Y(10 ** k), stroke: "#e3e6ec" });
    const e = svg(g, "text", { x: l - 6, y: Y(10 ** k) + 4, "text-anchor": "end", class: "label" }, "10");
    svg(e, "tspan", { dy: -6, "font-size": 9 }, String(k).replace("-", MINUS));
  }
  // Ticks at 1 and every multiple of the first of 1, 2, 5, 10, 20, 50, ... giving at most 10.
  let tick = 1;
  for (let k = 0; n / tick > 10; k++) tick = [1, 2, 5][k % 3] * 10 ** Math.floor(k / 3);
  for (let t = 1; t <= n; t = t === 1 && tick > 1 ? tick : t + tick) {
    svg(g, "line", { x1: X(t), x2: X(t), y1: H - b, y2: H - b + 4, stroke: "#6b7385" });
    svg(g, "text", { x: X(t), y: H - b + 17, "text-anchor": "middle", class: "label" }, String(t));
  }
  svg(g, "rect", { x: l, y: top, width: W - l - r, height: H - top - b, fill: "none", stroke: "#8a93a6" });
  svg(g, "text", { x: (l + W - r) / 2, y: H - 6, "text-anchor": "middle", class: "label" },
      "t (step); the loss reads h at t = " + n);
  rich(svg(g, "text", { x: 14, y: (top + H - b) / 2, transform: "rotate(-90 14 " + (top + H - b) / 2 + ")",
                        "text-anchor": "middle", class: "label" }), "‖dL/dh_t‖ (log scale)");
  // Where the regimes are, at t = 1: the largest start of a curve with s > 1, the smallest with s < 1.
  const starts = (pick) => curves.filter((k) => k.c !== NORMS.own && pick(k.c.scale))
    .map((k) => k.c.norms[0]).filter((v) => v !== null && v > 0 && Math.log10(v) >= lo);
  const up = starts((sc) => sc > 1), down = starts((sc) => sc < 1);
  if (up.length) svg(g, "text", { x: l + 8, y: Math.max(top + 12, Y(Math.max(...up)) - 6), class: "head",
                                  style: "fill:#b2182b" }, "exploding (s > 1)");
  if (down.length) svg(g, "text", { x: l + 8, y: Math.min(H - b - 6, Y(Math.min(...down)) + 16), class: "head",
                                    style: "fill:#2166ac" }, "vanishing (s < 1)");
  curves.sort((p, q) => p.on - q.on);  // the highlighted ones on top
  for (const k of curves) {
    let d = "", pen = false;
    k.c.norms.forEach((v, i) => {
      if (v === null || v <= 0 || Math.log10(v) < lo) { pen = false; return; }
      d += (pen ? "L" : "M") + X(i + 1).toFixed(1) + "," + Y(v).toFixed(1);
      pen = true;
    });
    const p = svg(g, "path", { d: d, fill: "none", stroke: k.color, "stroke-dasharray": k.dash,
                               "stroke-width": k.on ? k.width + 1 : 1.3, opacity: k.on ? 1 : 0.45 });
    svg(p, "title", {}, k.c.label);
  }
  readout(selected);
}

function readout(i) {
  const e = byId("scale-readout");
  e.textContent = "";
  const s = NORMS.scales[i], n = NORMS.steps;
  e.append("s = ", num(s, "/norms/scales/" + i, 3), ": ");
  NORMS.families.forEach((f, fi) => {
    const c = f.curves[i], p = "/norms/families/" + fi + "/curves/" + i + "/norms/";
    e.append(html("b", {}, f.activation), " ", rich(html("span"), "‖dL/dh_1‖ = "), num(c.norms[0], p + "0", 3),
             fi + 1 < NORMS.families.length ? "; " : "");
  });
  e.append(" (", rich(html("span"), "‖dL/dh_{" + n + "}‖ = "), num(NORMS.families[0].curves[i].norms[n - 1],
                                          "/norms/families/0/curves/" + i + "/norms/" + (n - 1), 3), ")");
}

function wireNorms() {
  rich(byId("norm-loss"), NORMS.loss);
  byId("norm-steps").textContent = NORMS.steps;
  const slider = byId("scale-slider");
  slider.max = NORMS.scales.length - 1;
  const one = NORMS.scales.indexOf(1);
  slider.value = one >= 0 ? one : 0;
  slider.addEventListener("input", () => drawNorms(Number(slider.value)));
  drawNorms(Number(slider.value));
  const legend = byId("norm-legend");
  const item = (color, dash, text) => {
    const e = html("span");
    e.append(html("span", { class: "sw", style: "border-top-color:" + color + ";border-top-style:" + dash }));
    rich(e, text);
    legend.appendChild(e);
  };
  item(scaleColor(0.5), "solid", NORMS.families[0].activation + ", s < 1");
  item(scaleColor(1), "solid", NORMS.families[0].activation + ", s = 1");
  item(scaleColor(1.5), "solid", NORMS.families[0].activation + ", s > 1");
  if (NORMS.families.length > 1) item("#4d4d4d", "dashed", "linear (bound reached exactly)");
  item("#000", "dotted", NORMS.own.label);
}

function fillCheck() {
  const C = D.check, t = byId("check-table");
  byId("fd-def").textContent = "(L(θ + ε) − L(θ − ε)) / 2ε, ε = " + fmt(C.eps, 1);
  const head = t.createTHead().insertRow();
  for (const h of ["gradient of L", "shape", "max |fused − composed|", "max |fused − finite diff.|",
                   "max |composed − finite diff.|", "gradcheck"])
    head.appendChild(html("th", {}, h));
  const body = t.createTBody();
  C.rows.forEach((row, i) => {
    const tr = body.insertRow(), p = "/check/rows/" + i + "/";
    tr.insertCell().appendChild(html("code", {}, row.name));
    tr.insertCell().textContent = row.shape;
    for (const k of ["fused_vs_composed", "fused_vs_fd", "composed_vs_fd"]) {
      const c = tr.insertCell();
      c.className = "r";
      c.appendChild(num(row[k], p + k, 2));
    }
    tr.insertCell().appendChild(html("span", { class: row.passed ? "pass" : "fail" },
                                     row.passed ? "passed" : "FAILED at " + row.worst.index));
  });
  const L = byId("check-largest");
  L.append(html("b", {}, "Largest difference: "), num(C.largest, "/check/largest", 2),
           " (" + C.largest_where + "). ",
           html("span", { class: C.passed ? "pass" : "fail" }, C.passed
             ? "All within gradcheck's tolerance |a − n| ≤ " + fmt(C.atol, 1) + " + " + fmt(C.rtol, 1) +
               "·max(|a|, |n|)."
             : "Some gradients are outside gradcheck's tolerance (see the rows)."));
  byId("check-nodes").append("Tape nodes with a backward: fused ", num(C.nodes.fused, "/check/nodes/fused"),
                             ", composed ", num(C.nodes.composed, "/check/nodes/composed"),
                             " (select, two matmuls, two adds and the activation per step).");
}

function fillNotes() {
  const ul = byId("notes");
  for (const n of D.notes) ul.appendChild(html("li", {}, n));
  ul.appendChild(html("li", {}, "Every number on this page was computed by elman " + D.version +
    " in float64 and is stored in the page (script #elman-data); the script only draws it."));
}

fillQuestion();
drawNet();
wireBackward();
updateStep();
wireNorms();
fillCheck();
fillNotes();
document.body.setAttribute("data-ready", "1");
