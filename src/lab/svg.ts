import { uniformBounds } from './bounds.js';
import { summarise } from './report.js';
import type { LabParams, RunRecord, UploadSeries } from './types.js';
import type { Mode } from './units.js';

/** Plots as standalone SVG text: axes, ticks, lines and a legend, no library. */
const W = 720;
const H = 420;
const M = { left: 64, right: 170, top: 36, bottom: 52 };
const COLOURS: Record<string, string> = { cs: '#d62728', p2p: '#1f77b4', hybrid: '#2ca02c', libtorrent: '#ff7f0e', aria2: '#9467bd', D_cs: '#d62728', D_p2p: '#1f77b4' };
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round steps (1, 2, 5 × 10^k) that cover [0, max] in about `count` ticks. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9 && ticks.length < 50; v += step) ticks.push(+v.toPrecision(12));
  if (ticks[ticks.length - 1]! < max) ticks.push(+(ticks[ticks.length - 1]! + step).toPrecision(12));
  return ticks;
}

interface Axis {
  toX(v: number): number;
  toY(v: number): number;
  xTicks: number[];
  yTicks: number[];
}

function frame(title: string, xLabel: string, yLabel: string, axis: Axis, xTickText: (v: number) => string): string[] {
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = H - M.bottom;
  const y1 = M.top;
  for (const t of axis.yTicks) {
    const y = axis.toY(t).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e5e5e5"/>`, `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(String(t))}</text>`);
  }
  for (const t of axis.xTicks) {
    const x = axis.toX(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 4}" stroke="black"/>`, `<text x="${x}" y="${y0 + 18}" text-anchor="middle">${esc(xTickText(t))}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/>`, `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return out;
}

function polyline(points: [number, number][], colour: string, extra = '', width = 2): string {
  return `<polyline fill="none" stroke="${colour}" stroke-width="${width}" ${extra} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

function legend(entries: { label: string; colour: string; dash?: boolean; dots?: boolean }[]): string[] {
  const x = W - M.right + 14;
  return entries.map((e, i) => {
    const y = M.top + 10 + i * 18;
    const pattern = e.dash ? ' stroke-dasharray="5 4"' : e.dots ? ' stroke-dasharray="1.5 3"' : '';
    return `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${e.colour}" stroke-width="2"${pattern}/><text x="${x + 28}" y="${y}" dominant-baseline="middle">${esc(e.label)}</text>`;
  });
}

/**
 * Distribution time against N for each mode (the median, with a bar from the fastest to the slowest repetition),
 * with D_cs and D_p2p drawn dashed, and each mode's start-up floor (the median of its runs') dotted in its colour
 * where the clients' ready times are known. The N axis is logarithmic when N spans more than a factor of 20.
 */
export function distributionSvg(params: LabParams, runs: RunRecord[], title: string): string {
  const ns = params.clients;
  const nMin = Math.min(...ns);
  const nMax = Math.max(...ns);
  const log = nMax / nMin > 20;
  const curveNs: number[] = [];
  for (let i = 0; i <= 60; i++) curveNs.push(log ? nMin * (nMax / nMin) ** (i / 60) : nMin + ((nMax - nMin) * i) / 60);
  const bounds = curveNs.map((n) => uniformBounds(params.sizeBytes, n, params.serverUpBps, params.clientUpBps, params.clientDownBps));
  const rows = params.modes.map((m) => ({ mode: m, rows: summarise(runs, m, params) }));
  const floors = rows.map(({ mode, rows: rs }) => ({ mode, points: rs.filter((r) => Number.isFinite(r.floor.median)) })).filter((f) => f.points.length > 0);
  // Let D_cs run off the top when it dwarfs everything measured, so the measured points stay readable.
  const measuredMax = Math.max(0, ...rows.flatMap((r) => r.rows.map((x) => x.d.max)), ...bounds.map((b) => b.p2p));
  const hasCs = params.modes.includes('cs');
  const yMax = Math.max(measuredMax, hasCs ? Math.max(...bounds.map((b) => b.cs)) : 0) * 1.05;
  const yTicks = niceTicks(yMax);
  const top = yTicks[yTicks.length - 1]!;
  const span = nMax === nMin ? 1 : log ? Math.log(nMax / nMin) : nMax - nMin;
  const axis: Axis = {
    toX: (n) => M.left + ((W - M.left - M.right) * (nMax === nMin ? 0.5 : log ? Math.log(n / nMin) : n - nMin)) / span,
    toY: (v) => H - M.bottom - ((H - M.top - M.bottom) * Math.min(v, top)) / top,
    xTicks: log ? ns.filter((n, i) => i === 0 || n / ns[i - 1]! >= 2.5 || i === ns.length - 1) : ns,
    yTicks,
  };
  const out = frame(title, 'clients N', 'distribution time D (s)', axis, (v) => String(v));
  out.push(polyline(curveNs.map((n, i) => [axis.toX(n), axis.toY(bounds[i]!.cs)]), COLOURS.D_cs!, 'stroke-dasharray="5 4" opacity="0.7"'));
  out.push(polyline(curveNs.map((n, i) => [axis.toX(n), axis.toY(bounds[i]!.p2p)]), COLOURS.D_p2p!, 'stroke-dasharray="5 4" opacity="0.7"'));
  for (const { mode, points } of floors) {
    const pts = points.map((r): [number, number] => [axis.toX(r.clients), axis.toY(r.floor.median)]);
    out.push(points.length > 1 ? polyline(pts, COLOURS[mode] ?? '#000', 'stroke-dasharray="1.5 3" opacity="0.8"') : `<circle cx="${pts[0]![0].toFixed(1)}" cy="${pts[0]![1].toFixed(1)}" r="2" fill="none" stroke="${COLOURS[mode] ?? '#000'}"/>`);
  }
  for (const { mode, rows: rs } of rows) {
    const c = COLOURS[mode] ?? '#000';
    if (rs.length > 1) out.push(polyline(rs.map((r) => [axis.toX(r.clients), axis.toY(r.d.median)]), c));
    for (const r of rs) {
      const x = axis.toX(r.clients).toFixed(1);
      out.push(`<line x1="${x}" y1="${axis.toY(r.d.min).toFixed(1)}" x2="${x}" y2="${axis.toY(r.d.max).toFixed(1)}" stroke="${c}"/>`);
      out.push(`<circle cx="${x}" cy="${axis.toY(r.d.median).toFixed(1)}" r="3.5" fill="${c}"><title>${mode} N=${r.clients}: D=${r.d.median.toFixed(2)} s, ${r.ratio.median.toFixed(2)}× bound</title></circle>`);
    }
  }
  const floorEntries = floors.map(({ mode }) => ({ label: `${mode} floor`, colour: COLOURS[mode] ?? '#000', dots: true }));
  out.push(...legend([...params.modes.map((m) => ({ label: m, colour: COLOURS[m] ?? '#000' })), { label: 'D_cs bound', colour: COLOURS.D_cs!, dash: true }, { label: 'D_p2p bound', colour: COLOURS.D_p2p!, dash: true }, ...floorEntries]));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Upload rate of each host over time (Mbit/s between samples), the server in black; clients beyond 8 in grey. */
export function uploadSvg(series: UploadSeries, title: string, linkRates: { serverBps: number; clientBps: number }): string {
  const t = series.tSeconds;
  const rates = series.hosts.map((h) => h.bytes.slice(1).map((b, i) => ((b - h.bytes[i]!) * 8) / 1e6 / Math.max(1e-3, t[i + 1]! - t[i]!)));
  const tMax = t.length ? t[t.length - 1]! : 1;
  const yMax = Math.max(linkRates.serverBps / 1e6, linkRates.clientBps / 1e6, ...rates.flat()) * 1.1;
  const xTicks = niceTicks(tMax, 8);
  const yTicks = niceTicks(yMax);
  const xTop = xTicks[xTicks.length - 1]!;
  const yTop = yTicks[yTicks.length - 1]!;
  const axis: Axis = {
    toX: (v) => M.left + ((W - M.left - M.right) * v) / xTop,
    toY: (v) => H - M.bottom - ((H - M.top - M.bottom) * v) / yTop,
    xTicks,
    yTicks,
  };
  const out = frame(title, 'time since the clients were launched (s)', 'upload (Mbit/s)', axis, (v) => String(v));
  const entries: { label: string; colour: string }[] = [];
  series.hosts.forEach((h, k) => {
    const colour = h.name === 'server' ? '#000' : k <= 8 ? PALETTE[(k - 1) % PALETTE.length]! : '#aaa';
    const pts = rates[k]!.map((r, i): [number, number] => [axis.toX((t[i]! + t[i + 1]!) / 2), axis.toY(r)]);
    if (pts.length) out.push(h.name === 'server' ? polyline(pts, colour, '', 2.5) : polyline(pts, colour, 'opacity="0.85"', 1.2));
    if (k <= 8) entries.push({ label: h.name, colour });
  });
  if (series.hosts.length > 9) entries.push({ label: `${series.hosts.length - 9} more clients`, colour: '#aaa' });
  out.push(...legend(entries), '</svg>');
  return out.join('\n') + '\n';
}

/** The file name of a mode's upload plot. */
export function uploadPlotName(mode: Mode, clients: number): string {
  return `uploads-${mode}-N${clients}.svg`;
}
