// The 1D view of the game, drawn into SVG: p_data, p_g, D, D* = p_data / (p_data + p_g) and the
// noise line z -> G(z) (Figure 1 of Goodfellow et al. 2014). One module for the live playground
// (gan/play/page.html) and the run's player (gan/plots/player.html); both inline it.
// Densities use the left axis (0 .. ymax), D and D* their own scale 0 .. 1 (the right axis).
// D* arrives computed by Python from unrounded densities (null where it is not drawn).
"use strict";
const GanDraw = (() => {
  const fmt = (v, d = 4) => (v === null || v === undefined) ? "–" : Number(v).toPrecision(d);
  function scale(d0, d1, r0, r1) { const k = (r1 - r0) / ((d1 - d0) || 1); return (v) => r0 + (v - d0) * k; }
  function polyline(xs, ys, sx, sy) {   // null in ys lifts the pen
    let d = "", pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (ys[i] === null || xs[i] === null || !Number.isFinite(ys[i])) { pen = false; continue; }
      d += (pen ? "L" : "M") + sx(xs[i]).toFixed(1) + " " + sy(ys[i]).toFixed(1); pen = true;
    }
    return d;
  }
  function arrow(x0, y0, x1, y1) {      // a segment with a head at (x1, y1), as path data
    const dx = x1 - x0, dy = y1 - y0, n = Math.hypot(dx, dy);
    let d = `M${x0.toFixed(1)} ${y0.toFixed(1)}L${x1.toFixed(1)} ${y1.toFixed(1)}`;
    if (n > 3) {
      const ux = dx / n, uy = dy / n, h = Math.min(5, n / 2);
      d += `M${(x1 - h * ux - h * 0.6 * uy).toFixed(1)} ${(y1 - h * uy + h * 0.6 * ux).toFixed(1)}` +
           `L${x1.toFixed(1)} ${y1.toFixed(1)}L${(x1 - h * ux + h * 0.6 * uy).toFixed(1)} ` +
           `${(y1 - h * uy - h * 0.6 * ux).toFixed(1)}`;
    }
    return d;
  }
  function ticks(lo, hi, n) {
    const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n || 1)));
    const s = [1, 2, 5, 10].map((m) => m * step).find((m) => (hi - lo) / m <= n) || step * 10;
    const out = []; for (let v = Math.ceil(lo / s) * s; v <= hi + 1e-9; v += s) out.push(+v.toFixed(10));
    return out;
  }
  // The y range of a loss chart that one spike cannot flatten: the 1%..99% quantiles of the
  // values, widened by a quarter of their spread on each side (never past the values' own min and
  // max), and always holding `always` (e.g. -log 4 and 0). Returns {lo, hi, above, below, min,
  // max, clip}: `above`/`below` count the values outside, which `clip` moves onto the edge.
  function robustRange(values, always = []) {
    const v = values.filter((u) => u !== null && Number.isFinite(u)).sort((a, b) => a - b);
    if (!v.length) return { lo: Math.min(-1, ...always), hi: Math.max(1, ...always), above: 0,
                            below: 0, min: null, max: null, clip: (u) => u };
    const q = (p) => { const i = p * (v.length - 1), j = Math.floor(i);
                       return v[j] + (v[Math.min(j + 1, v.length - 1)] - v[j]) * (i - j); };
    const q1 = q(0.01), q99 = q(0.99), spread = (q99 - q1) || Math.abs(q99) || 1;
    const lo = Math.min(Math.max(v[0], q1 - 0.25 * spread), ...always);
    const hi = Math.max(Math.min(v[v.length - 1], q99 + 0.25 * spread), ...always);
    return { lo, hi, min: v[0], max: v[v.length - 1],
             above: v.filter((u) => u > hi).length, below: v.filter((u) => u < lo).length,
             clip: (u) => (u === null ? null : Math.max(lo, Math.min(hi, u))) };
  }
  // The chart's note on what `robustRange` clipped (empty when nothing was).
  function clipNote(r) {
    const parts = [];
    if (r.above) parts.push(`${r.above} above ${fmt(r.hi, 3)} (max ${fmt(r.max, 3)})`);
    if (r.below) parts.push(`${r.below} below ${fmt(r.lo, 3)} (min ${fmt(r.min, 3)})`);
    return parts.length ? `losses clipped at the 1–99% quantile range: ${parts.join(", ")}, ` +
                          "drawn on the edge" : "";
  }
  // Draws view v = {x, p_data, p_g, D, D_star, z_line, x_of_z} into els = {pData, pG, D, Dstar,
  // zArrows, axes}; layout: {X0, X1, TOP, BASE, XLINE, ZLINE} in SVG units and optionally ymax
  // (a fixed density scale; by default one that fits this view) and lo, hi (the x range).
  // Returns the scales, for what a caller draws on top.
  function density1d(els, v, layout) {
    const { X0, X1, TOP, BASE, XLINE, ZLINE } = layout;
    const x = v.x, lo = layout.lo ?? x[0], hi = layout.hi ?? x[x.length - 1];
    const sx = scale(lo, hi, X0, X1);
    const pmax = Math.max(...v.p_data), gmax = Math.max(...v.p_g);
    const ymax = layout.ymax ?? Math.max(1.4 * pmax, Math.min(gmax, 3 * pmax)) * 1.05;
    const sy = scale(0, ymax, BASE, TOP), sd = scale(0, 1, BASE, TOP);
    els.pData.setAttribute("d", polyline(x, v.p_data, sx, sy));
    els.pG.setAttribute("d", polyline(x, v.p_g.map((p) => Math.min(p, ymax)), sx, sy));
    els.D.setAttribute("d", polyline(x, v.D, sx, sd));
    els.Dstar.setAttribute("d", polyline(x, v.D_star, sx, sd));
    let z = "";
    for (let i = 0; i < v.z_line.length; i++) {
      const gx = Math.max(lo, Math.min(hi, v.x_of_z[i]));
      z += arrow(sx(v.z_line[i]), ZLINE, sx(gx), XLINE + 2);
    }
    els.zArrows.setAttribute("d", z);
    const items = [`<line x1="${X0}" x2="${X1}" y1="${BASE}" y2="${BASE}" stroke="#ccc"/>`,
      `<line x1="${X0}" x2="${X0}" y1="${TOP}" y2="${BASE}" stroke="#ccc"/>`,
      `<line x1="${X1}" x2="${X1}" y1="${TOP}" y2="${BASE}" stroke="#ccc"/>`,
      `<line x1="${X0}" x2="${X1}" y1="${sd(0.5)}" y2="${sd(0.5)}" stroke="#eee"/>`,
      `<text x="${X1 - 4}" y="${sd(0.5) - 3}" text-anchor="end">D = ½</text>`,
      `<text x="${X0 - 30}" y="${TOP - 7}">density</text>`,
      `<text x="${X1 + 18}" y="${TOP - 7}" text-anchor="end" style="fill:#1f5fbf">D(x)</text>`];
    if (v.z_line.length) items.push(
      `<line x1="${X0}" x2="${X1}" y1="${XLINE}" y2="${XLINE}" stroke="#444"/>`,
      `<line x1="${X0}" x2="${X1}" y1="${ZLINE}" y2="${ZLINE}" stroke="#444"/>`,
      `<text x="8" y="${XLINE + 4}">x</text><text x="8" y="${ZLINE + 4}">z</text>`);
    const tickY = v.z_line.length ? XLINE + 14 : BASE + 14;
    for (const t of ticks(lo, hi, 10)) items.push(`<text x="${sx(t)}" y="${tickY}" text-anchor="middle">${t}</text>`);
    for (const t of ticks(0, ymax, 5)) items.push(`<text x="${X0 - 4}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`);
    for (const t of [0, 0.5, 1]) items.push(`<text x="${X1 + 4}" y="${sd(t) + 4}" style="fill:#1f5fbf">${t}</text>`);
    if (gmax > ymax) {
      const peak = x[v.p_g.indexOf(gmax)], right = sx(peak) > (X0 + X1) / 2;
      items.push(`<text x="${sx(peak) + (right ? -6 : 6)}" y="${TOP + 12}" style="fill:#1a8f3a" ` +
        `text-anchor="${right ? "end" : "start"}">p_g peaks above the frame, at ${fmt(gmax, 3)}</text>`);
    }
    els.axes.innerHTML = items.join("");
    return { sx, sy, sd, ymax, lo, hi };
  }
  return { fmt, scale, polyline, arrow, ticks, robustRange, clipNote, density1d };
})();
