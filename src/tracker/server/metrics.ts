// The stats page (HTML, for people) and /metrics (the Prometheus text exposition format, version 0.0.4).
import type { StoreStats } from '../store/store.js';
import type { Counters } from './core.js';

export interface Snapshot {
  stats: StoreStats;
  counters: Counters;
  uptimeS: number;
  rssBytes: number;
  storeKind: string;
}

export function renderPrometheus(s: Snapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [labels: string, value: number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  const c = s.counters;
  metric('tandem_tracker_torrents', 'gauge', 'Torrents with at least one peer or a completed download.', [['', s.stats.torrents]]);
  metric('tandem_tracker_peers', 'gauge', 'Peers registered, by state.', [['{state="seeder"}', s.stats.seeders], ['{state="leecher"}', s.stats.leechers]]);
  metric('tandem_tracker_completed_total', 'counter', 'Completed events received.', [['', s.stats.downloaded]]);
  metric('tandem_tracker_announces_total', 'counter', 'Announces answered, by transport.', [['{transport="http"}', c.announces.http], ['{transport="udp"}', c.announces.udp]]);
  metric('tandem_tracker_scrapes_total', 'counter', 'Scrapes answered, by transport.', [['{transport="http"}', c.scrapes.http], ['{transport="udp"}', c.scrapes.udp]]);
  metric('tandem_tracker_udp_connects_total', 'counter', 'BEP 15 connect requests answered.', [['', c.connects]]);
  metric('tandem_tracker_rate_limited_total', 'counter', 'Requests refused by the per-address rate limit.', [['{transport="http"}', c.rateLimited.http], ['{transport="udp"}', c.rateLimited.udp]]);
  metric('tandem_tracker_errors_total', 'counter', 'Requests answered with a protocol error, by error code.', [...c.errors].sort().map(([code, n]) => [`{code="${code}"}`, n]));
  metric('tandem_tracker_uptime_seconds', 'gauge', 'Seconds since the tracker started.', [['', Math.floor(s.uptimeS)]]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', s.rssBytes]]);
  return out.join('\n') + '\n';
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderStatsPage(s: Snapshot): string {
  const c = s.counters;
  const rows: [string, string | number][] = [
    ['torrents', s.stats.torrents],
    ['seeders', s.stats.seeders],
    ['leechers', s.stats.leechers],
    ['completed downloads', s.stats.downloaded],
    ['announces (HTTP / UDP)', `${c.announces.http} / ${c.announces.udp}`],
    ['scrapes (HTTP / UDP)', `${c.scrapes.http} / ${c.scrapes.udp}`],
    ['rate limited (HTTP / UDP)', `${c.rateLimited.http} / ${c.rateLimited.udp}`],
    ['errors', [...c.errors.values()].reduce((a, b) => a + b, 0)],
    ['swarm store', s.storeKind],
    ['uptime', `${Math.floor(s.uptimeS)} s`],
    ['resident memory', `${(s.rssBytes / 1048576).toFixed(1)} MiB`],
  ];
  const body = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tandem tracker</title>
<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:2em}</style></head>
<body><h1>tandem tracker</h1>
<table>
${body}
</table>
<p><a href="/metrics">/metrics</a> (Prometheus)</p>
</body></html>
`;
}
