/**
 * Where a traced run's time went (`tandem lab --trace`): from each host's piece timeline (src/util/piece-trace.ts),
 * when each client first asked for, got and sent a piece, and how long the swarm's messages took between hosts, a
 * piece's HAVE and a first-block request. Those two ride behind the piece data already queued on the same
 * connection, so they show how much a host's queues delay the swarm's reactions. And how evenly the server spread
 * its pieces over the clients (in one run at N = 16, three clients got 134 of the 167 pieces it sent; a seed that
 * rotated its slots evened that out, and D did not change). Pure: the lab reads the files.
 */

import { spread } from './report.js';

export interface TraceHost {
  /** `server`, `c1`, `c2`... */
  name: string;
  /** The lines of its trace file. */
  lines: string[];
}

export interface Spread {
  median: number;
  /** The largest (for start-up times) or the 90th percentile (for latencies). */
  high: number;
  count: number;
}

export interface TraceSummary {
  /** Seconds after the clients' launch: each client's first request, first verified piece, first piece sent. */
  firstRequest: Spread;
  firstPiece: Spread;
  firstSend: Spread;
  /** Seconds from a piece verified at one host to its HAVE read at another. */
  haveLatency: Spread;
  /** Seconds from a first-block request leaving one host to its arrival at the other. */
  requestLatency: Spread;
  /** Pieces the server started sending each client over the peer wire (web-seed HTTP is not traced). */
  serverPieces: { min: number; median: number; max: number };
}

interface Event {
  ms: number;
  event: string;
  piece: number;
  peer: string;
}

function parse(lines: string[]): Event[] {
  const out: Event[] = [];
  for (const line of lines) {
    const [ms, event, piece, peer] = line.split(' ');
    if (ms === undefined || event === undefined || piece === undefined || !/^\d+$/.test(ms)) continue;
    out.push({ ms: Number(ms), event, piece: Number(piece), peer: peer ?? '' });
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function spreadOf(values: number[], high: 'max' | 'p90'): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, high: NaN, count: 0 };
  const { median, max } = spread(v);
  return { median, high: high === 'max' ? max : quantile(v, 0.9), count: v.length };
}

/**
 * The summary of one run's traces. `hostOf` maps an address to a host's name (a trace names peers by address);
 * `launchMs` is when the clients were launched (epoch milliseconds, as the traces' times are).
 */
export function summariseTraces(hosts: TraceHost[], hostOf: (address: string) => string | undefined, launchMs: number): TraceSummary {
  const events = new Map(hosts.map((h) => [h.name, parse(h.lines)]));
  const verified = new Map<string, Map<number, number>>();
  for (const [name, evs] of events) verified.set(name, new Map(evs.filter((e) => e.event === 'verified').map((e) => [e.piece, e.ms])));
  const firsts = { request: [] as number[], piece: [] as number[], send: [] as number[] };
  const haveLatency: number[] = [];
  const requestLatency: number[] = [];
  // A request's arrival at its receiver, by sender, receiver and piece (the first of each).
  const arrivals = new Map<string, number>();
  for (const [name, evs] of events) {
    for (const e of evs) {
      const from = hostOf(e.peer);
      if (e.event === 'request-received' && from !== undefined && !arrivals.has(`${from}>${name}:${e.piece}`)) arrivals.set(`${from}>${name}:${e.piece}`, e.ms);
    }
  }
  for (const [name, evs] of events) {
    if (name !== 'server') {
      const first = (event: string): number => {
        const e = evs.find((x) => x.event === event);
        return e ? (e.ms - launchMs) / 1000 : NaN;
      };
      firsts.request.push(first('request-sent'));
      firsts.piece.push(first('verified'));
      firsts.send.push(first('send-started'));
    }
    const seen = new Set<string>();
    for (const e of evs) {
      const peer = hostOf(e.peer);
      if (peer === undefined) continue;
      if (e.event === 'have-received') {
        const at = verified.get(peer)?.get(e.piece);
        if (at !== undefined) haveLatency.push((e.ms - at) / 1000);
      } else if (e.event === 'request-sent' && !seen.has(`${peer}:${e.piece}`)) {
        seen.add(`${peer}:${e.piece}`);
        const arrived = arrivals.get(`${name}>${peer}:${e.piece}`);
        if (arrived !== undefined) requestLatency.push((arrived - e.ms) / 1000);
      }
    }
  }
  return {
    serverPieces: serverShare(events.get('server') ?? [], [...events.keys()].filter((n) => n !== 'server'), hostOf),
    firstRequest: spreadOf(firsts.request, 'max'),
    firstPiece: spreadOf(firsts.piece, 'max'),
    firstSend: spreadOf(firsts.send, 'max'),
    haveLatency: spreadOf(haveLatency, 'p90'),
    requestLatency: spreadOf(requestLatency, 'p90'),
  };
}

/** How many pieces the server started sending each client; a client it sent nothing counts as 0. */
function serverShare(server: Event[], clients: string[], hostOf: (address: string) => string | undefined): { min: number; median: number; max: number } {
  const sent = new Map(clients.map((c) => [c, 0]));
  for (const e of server) {
    const to = hostOf(e.peer);
    if (e.event === 'send-started' && to !== undefined && sent.has(to)) sent.set(to, sent.get(to)! + 1);
  }
  if (sent.size === 0) return { min: NaN, median: NaN, max: NaN };
  const { min, median, max } = spread([...sent.values()]);
  return { min, median, max };
}

/** The report's section: one row per traced run. */
export function traceSection(runs: { mode: string; clients: number; rep: number; trace?: TraceSummary }[]): string | undefined {
  const traced = runs.filter((r) => r.trace);
  if (traced.length === 0) return undefined;
  const s = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
  const ms = (x: number): string => (Number.isFinite(x) ? (x * 1000).toFixed(0) : '-');
  const rows = traced.map((r) => {
    const t = r.trace!;
    const n = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : '-');
    const share = `${n(t.serverPieces.min)} / ${n(t.serverPieces.median)} / ${n(t.serverPieces.max)}`;
    return `| ${r.mode} | ${r.clients} | ${r.rep} | ${s(t.firstRequest.median)} / ${s(t.firstRequest.high)} | ${s(t.firstPiece.median)} / ${s(t.firstPiece.high)} | ${s(t.firstSend.median)} / ${s(t.firstSend.high)} | ${ms(t.haveLatency.median)} / ${ms(t.haveLatency.high)} | ${ms(t.requestLatency.median)} / ${ms(t.requestLatency.high)} | ${share} |`;
  });
  return [
    '## Piece timelines (--trace)',
    '',
    "Each tandem process of these runs logged its piece traffic (`trace/MODE-NN-rREP/HOST.trace`). First request, first piece and first upload are seconds after the clients' launch, median / last client. A HAVE's latency runs from the piece verified at one host to its HAVE read at another; a request's, from a first-block request sent to its arrival; both in ms, median / 90th percentile. Both messages wait behind the piece data queued before them on the same connection. The server's pieces per client are those it started sending each one over the peer wire (min / median / max; hybrid's web-seed answers are not traced).",
    '',
    '| mode | N | rep | first request (s) | first piece (s) | first upload (s) | HAVE latency (ms) | request latency (ms) | server\'s pieces per client |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
