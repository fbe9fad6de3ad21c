import { startupFloor, uniformBounds } from './bounds.js';
import { PAYLOAD_PER_FRAME, type LabParams, type RunRecord, type ShapingResult } from './types.js';
import { formatRate, type Mode } from './units.js';

/** Min, median and max of a non-empty list. */
export function spread(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

const CSV_COLUMNS = ['mode', 'clients', 'rep', 'd_seconds', 'bound_seconds', 'd_over_bound', 'server_wire_bytes', 'server_copies', 'client_copies', 'server_util', 'client_util', 'cpu_seconds', 'sha256_ok', 'finish_seconds', 'busy_from_seconds', 'ready_seconds', 'server_busy_from_seconds'] as const;

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '';
}

/** Per-client seconds joined by `;` (nan for a client without one). */
function perClient(values: number[]): string {
  return values.map((s) => (Number.isFinite(s) ? s.toFixed(2) : 'nan')).join(';');
}

/** Every run, one line each; per-client times joined by `;`. */
export function toCsv(runs: RunRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of runs) {
    lines.push(
      [r.mode, r.clients, r.rep, fixed(r.dSeconds, 3), fixed(r.boundSeconds, 3), fixed(r.ratio, 3), r.serverWireBytes, fixed(r.serverCopies, 3), fixed(r.clientCopies, 3), fixed(r.serverUtil, 3), fixed(r.clientUtil, 3), fixed(r.cpuSeconds, 2), r.sha256Ok ? 1 : 0, r.finishSeconds.map((s) => s.toFixed(3)).join(';'), perClient(r.busyFromSeconds), perClient(r.readySeconds), fixed(r.serverBusyFromSeconds, 2)].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** Reads back what toCsv wrote (the series are not in it), by column name: a column an older file lacks is NaN. */
export function parseCsv(text: string): RunRecord[] {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head!.split(',');
  if (!['mode', 'clients', 'rep', 'd_seconds'].every((c) => cols.includes(c))) throw new Error('not a runs.csv of tandem lab (its header differs)');
  return rows.map((row) => {
    const f = row.split(',');
    const text = (name: string): string => f[cols.indexOf(name)] ?? '';
    const num = (name: string): number => (text(name) === '' ? NaN : Number(text(name)));
    const list = (name: string): number[] => (text(name) ? text(name).split(';').map(Number) : []);
    return {
      mode: text('mode') as Mode,
      clients: num('clients'),
      rep: num('rep'),
      dSeconds: num('d_seconds'),
      boundSeconds: num('bound_seconds'),
      ratio: num('d_over_bound'),
      serverWireBytes: num('server_wire_bytes'),
      serverCopies: num('server_copies'),
      clientCopies: num('client_copies'),
      serverUtil: num('server_util'),
      clientUtil: num('client_util'),
      cpuSeconds: num('cpu_seconds'),
      sha256Ok: text('sha256_ok') === '1',
      finishSeconds: list('finish_seconds'),
      busyFromSeconds: list('busy_from_seconds'),
      readySeconds: list('ready_seconds'),
      serverBusyFromSeconds: num('server_busy_from_seconds'),
    };
  });
}

/** One row per N of one mode: min-median-max over the repetitions. */
export interface SummaryRow {
  clients: number;
  reps: number;
  d: ReturnType<typeof spread>;
  ratio: ReturnType<typeof spread>;
  /** D over the run's start-up floor (`runFloor`); NaN where the clients' ready times are unknown. */
  floorRatio: ReturnType<typeof spread>;
  /** The floor itself, in seconds (NaN as above). */
  floor: ReturnType<typeof spread>;
  serverCopies: ReturnType<typeof spread>;
  clientCopies: ReturnType<typeof spread>;
  serverUtil: ReturnType<typeof spread>;
  clientUtil: ReturnType<typeof spread>;
  cpuSeconds: ReturnType<typeof spread>;
  /** When the clients printed `ready`. */
  ready: ClientTimes;
  /** When the server's uplink got busy (`busy-from.ts`). */
  serverBusy: ReturnType<typeof spread>;
  /** When the clients' uplinks got busy (`busy-from.ts`). */
  busy: ClientTimes;
  boundSeconds: number;
}

/** Per-client times over the repetitions: each run's median client, and its last one. */
export interface ClientTimes {
  median: ReturnType<typeof spread>;
  last: ReturnType<typeof spread>;
}

/** Each run's median and last client, over the clients that have a time (NaN for a run where none has). */
function clientTimes(perRun: number[][]): ClientTimes {
  const runs = perRun.map((times) => times.filter(Number.isFinite));
  return {
    median: spread(runs.map((ts) => (ts.length > 0 ? spread(ts).median : NaN))),
    last: spread(runs.map((ts) => (ts.length > 0 ? Math.max(...ts) : NaN))),
  };
}

/**
 * The run's floor given its start-up (`startupFloor`): the bound with the clients' measured ready times, the
 * frames' headers and one piece before a client can forward. What D loses beyond it is the swarm's own doing.
 */
export function runFloor(r: RunRecord, p: LabParams): number {
  return startupFloor({
    fileBits: p.sizeBytes * 8,
    clients: r.clients,
    serverUpBps: p.serverUpBps,
    clientUpBps: r.readySeconds.map(() => p.clientUpBps),
    minDownBps: p.clientDownBps,
    readySeconds: r.readySeconds,
    pieceBits: p.pieceLengthBytes * 8,
    swarm: r.mode !== 'cs',
    payloadPerWireBit: PAYLOAD_PER_FRAME,
  });
}

/** One row per N of the mode; with the lab's parameters, D over each run's start-up floor too. */
export function summarise(runs: RunRecord[], mode: Mode, params?: LabParams): SummaryRow[] {
  const byN = new Map<number, RunRecord[]>();
  for (const r of runs) if (r.mode === mode && Number.isFinite(r.dSeconds)) byN.set(r.clients, [...(byN.get(r.clients) ?? []), r]);
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([clients, rs]) => {
      const floors = rs.map((r) => (params ? runFloor(r, params) : NaN));
      return {
        clients,
        reps: rs.length,
        d: spread(rs.map((r) => r.dSeconds)),
        ratio: spread(rs.map((r) => r.ratio)),
        floorRatio: spread(rs.map((r, i) => r.dSeconds / floors[i]!)),
        floor: spread(floors),
        serverCopies: spread(rs.map((r) => r.serverCopies)),
        clientCopies: spread(rs.map((r) => r.clientCopies)),
        serverUtil: spread(rs.map((r) => r.serverUtil)),
        clientUtil: spread(rs.map((r) => r.clientUtil)),
        cpuSeconds: spread(rs.map((r) => r.cpuSeconds)),
        ready: clientTimes(rs.map((r) => r.readySeconds)),
        serverBusy: spread(rs.map((r) => r.serverBusyFromSeconds)),
        busy: clientTimes(rs.map((r) => r.busyFromSeconds)),
        boundSeconds: rs[0]!.boundSeconds,
      };
    });
}

/** `1.02–1.05–1.09`, or one number when every repetition gave the same. */
function mmm(s: ReturnType<typeof spread>, digits: number): string {
  if (!Number.isFinite(s.median)) return '–';
  const f = (n: number): string => n.toFixed(digits);
  return f(s.min) === f(s.max) ? f(s.median) : `${f(s.min)}–${f(s.median)}–${f(s.max)}`;
}

/** The Markdown table of one mode. */
export function modeTable(rows: SummaryRow[]): string {
  const lines = [
    '| N | reps | D (s) | bound (s) | D/bound | D/floor | server copies | copies each client got | server util | client util | clients ready (s): median / last | server busy from (s) | clients busy from (s): median / last | CPU (s) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const pair = (t: ClientTimes): string => (Number.isFinite(t.median.median) ? `${mmm(t.median, 1)} / ${mmm(t.last, 1)}` : '–');
  for (const r of rows) {
    lines.push(`| ${r.clients} | ${r.reps} | ${mmm(r.d, 1)} | ${r.boundSeconds.toFixed(1)} | ${mmm(r.ratio, 2)} | ${mmm(r.floorRatio, 2)} | ${mmm(r.serverCopies, 2)} | ${mmm(r.clientCopies, 2)} | ${mmm(r.serverUtil, 2)} | ${mmm(r.clientUtil, 2)} | ${pair(r.ready)} | ${mmm(r.serverBusy, 1)} | ${pair(r.busy)} | ${mmm(r.cpuSeconds, 1)} |`);
  }
  return lines.join('\n');
}

export interface ReportInput {
  params: LabParams;
  runs: RunRecord[];
  shaping: ShapingResult[];
  /** Free lines about the machine and the run (shared machine, kernel's congestion control). */
  notes: string[];
  /** Extra sections (the simulation's agreement), already Markdown. */
  sections?: string[];
  plots: string[];
  command: string;
  simulated?: boolean;
}

function paramsList(p: LabParams): string[] {
  return [
    `- file: ${p.sizeBytes} bytes (${(p.sizeBytes / 1024 / 1024).toFixed(2)} MiB), pieces of ${p.pieceLengthBytes / 1024} KiB`,
    `- server uplink ${formatRate(p.serverUpBps)}, client uplinks ${formatRate(p.clientUpBps)}, client downlinks ${Number.isFinite(p.clientDownBps) ? formatRate(p.clientDownBps) : 'not shaped'}`,
    `- queue of each shaped link: ${p.queueMs} ms of its rate`,
    `- clients: ${p.clients.join(', ')}; modes: ${p.modes.join(', ')}; ${p.reps} repetition(s)`,
  ];
}

function boundsTable(p: LabParams): string {
  const lines = ['| N | D_cs (s) | D_p2p (s) |', '|---:|---:|---:|'];
  for (const n of p.clients) {
    const b = uniformBounds(p.sizeBytes, n, p.serverUpBps, p.clientUpBps, p.clientDownBps);
    lines.push(`| ${n} | ${b.cs.toFixed(2)} | ${b.p2p.toFixed(2)} |`);
  }
  return lines.join('\n');
}

const MODE_TITLES: Record<Mode, string> = {
  cs: 'cs: `tandem serve` and N × `tandem get http://` (bound D_cs)',
  p2p: 'p2p: `tandem tracker`, one `tandem share` and N × `tandem get --seed` (bound D_p2p)',
  hybrid: 'hybrid: `tandem serve --seed` and N × `tandem get http:// --seed` in its swarm (bound D_p2p)',
  libtorrent: 'libtorrent: `tandem tracker`, one libtorrent seed and N libtorrent clients that keep seeding (bound D_p2p)',
  aria2: 'aria2: `tandem tracker`, one `aria2c` seed and N × `aria2c` that keep seeding (bound D_p2p)',
};

/** The whole report.md. */
export function toMarkdown(r: ReportInput): string {
  const out = [`# tandem lab${r.simulated ? ' (simulation)' : ''}`, '', '```', r.command, '```', '', '## Parameters', '', ...paramsList(r.params), ...r.notes.map((n) => `- ${n}`), ''];
  if (r.shaping.length) {
    out.push('## Shaping check', '', 'A TCP transfer at each rate; the wire rate is the payload rate × 1514/1448 (Ethernet, IP and TCP headers).', '');
    out.push('| link | configured | payload measured | wire / configured |', '|---|---:|---:|---:|');
    for (const s of r.shaping) out.push(`| ${s.link} | ${formatRate(s.configuredBps)} | ${formatRate(s.goodputBps)} | ${s.wireRatio.toFixed(3)} |`);
    out.push('');
  }
  out.push('## Bounds (Kurose and Ross §2.5)', '', boundsTable(r.params), '');
  out.push('## Results', '', 'Each cell is min–median–max over the repetitions (one number when they agree). D is launch of the clients to the last one done; server copies are the bytes its uplink counter saw over the file size (the veth counters see GSO segments, so this is close to payload: a client-server run shows N copies); the copies each client got are the bytes the client downlinks carried over N × the file size (above 1: bytes received twice, or headers); utilisations are those bytes with the headers of full 1514-byte frames added back (× 1514/1448), over rate × D. Start-up, from launch: a client is ready when it prints its `ready` record (its process up and, for a torrent, the torrent read and its files checked, or for a plain HTTP download its request about to leave; tandem clients only), and an uplink is busy from the end of the first 0.5 s counter sample in which it sent at half its rate or more. The floor is the bound again with what a run cannot avoid put in: nothing is sent before the first client is ready, a client uploads nothing before it is ready and holds one whole piece (one piece at the server\'s rate at best), and every link carries payload at 1448/1514 of its rate (the headers of full frames); so D/floor is what the swarm\'s own policies lose, and the gap between floor and bound is start-up and headers (tandem clients only: the others print no ready time).', '');
  for (const mode of r.params.modes) {
    const rows = summarise(r.runs, mode, r.params);
    out.push(`### ${MODE_TITLES[mode]}`, '', rows.length ? modeTable(rows) : 'No completed run.', '');
  }
  const bad = r.runs.filter((x) => !x.sha256Ok);
  out.push(bad.length ? `**${bad.length} run(s) had a copy with the wrong sha256.**` : r.simulated ? '' : 'Every copy of every run had the file\'s sha256.', '');
  for (const s of r.sections ?? []) out.push(s, '');
  if (r.plots.length) out.push('## Plots', '', ...r.plots.map((p) => `![${p}](${p})`), '');
  return out.join('\n');
}
