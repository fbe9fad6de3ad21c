import type { Node, TorrentStatus } from '../node/index.js';
import { computeMetricLines } from './compute-metrics.js';

/** API request latency, in a fixed histogram (Prometheus buckets, seconds). */
export class LatencyHistogram {
  static readonly BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
  readonly counts = new Array<number>(LatencyHistogram.BOUNDS.length + 1).fill(0);
  sum = 0;
  total = 0;

  observe(seconds: number): void {
    let i = LatencyHistogram.BOUNDS.findIndex((b) => seconds <= b);
    if (i < 0) i = LatencyHistogram.BOUNDS.length;
    this.counts[i]!++;
    this.sum += seconds;
    this.total++;
  }
}

const STATUSES: TorrentStatus[] = ['stopped', 'queued', 'checking', 'metadata', 'downloading', 'seeding', 'error'];

/**
 * The node in Prometheus text format (exposition format 0.0.4): global series only, never one per torrent, so a
 * node with 10,000 torrents is still a short page.
 */
export function renderMetrics(node: Node, latency: LatencyHistogram): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [labels: string, value: number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const torrents = node.torrents.list();
  const byStatus = new Map<TorrentStatus, number>(STATUSES.map((s) => [s, 0]));
  let peers = 0;
  let webSeedBytes = 0;
  for (const t of torrents) {
    byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
    peers += t.peers;
    webSeedBytes += t.webSeedBytes;
  }
  const stats = node.stats();
  metric('tandem_torrents', 'gauge', 'Torrents by state.', STATUSES.map((s) => [`{state="${s}"}`, byStatus.get(s) ?? 0]));
  metric('tandem_peers', 'gauge', 'Connected peers, all torrents.', [['', peers]]);
  metric('tandem_dht_nodes', 'gauge', 'Nodes in the DHT routing table.', [['', stats.dhtNodes]]);
  metric('tandem_disk_queue_pieces', 'gauge', 'Verified pieces waiting to be written to disk.', [['', node.diskWritesPending]]);
  metric('tandem_pieces_hashed_total', 'counter', 'Pieces hashed to check data on disk since start.', [['', stats.piecesHashed]]);
  const servers = node.servers.list();
  const served = (kind: string): number => servers.filter((s) => s.kind === kind).reduce((n, s) => n + s.bytesSent, 0);
  metric('tandem_sent_bytes_total', 'counter', 'Bytes sent, by source.', [
    ['{source="peers"}', stats.sessionUploadedBytes],
    ['{source="http"}', served('http')],
    ['{source="tftp"}', served('tftp')],
    ['{source="ftp"}', served('ftp')],
  ]);
  metric('tandem_received_bytes_total', 'counter', 'Bytes received, by source.', [
    ['{source="peers"}', Math.max(0, stats.sessionDownloadedBytes - webSeedBytes)],
    ['{source="webseeds"}', webSeedBytes],
  ]);
  metric('tandem_download_rate_bytes', 'gauge', 'Download rate, bytes per second.', [['', stats.downloadRateBytesPerSec]]);
  metric('tandem_upload_rate_bytes', 'gauge', 'Upload rate, bytes per second.', [['', stats.uploadRateBytesPerSec]]);
  metric('tandem_server_requests_total', 'counter', 'Requests served by the node\'s servers.', servers.map((s) => [`{kind="${s.kind}"}`, s.requests]));
  lines.push(...computeMetricLines(node));
  lines.push('# HELP tandem_api_request_seconds Control API request latency.', '# TYPE tandem_api_request_seconds histogram');
  let cumulative = 0;
  LatencyHistogram.BOUNDS.forEach((b, i) => {
    cumulative += latency.counts[i]!;
    lines.push(`tandem_api_request_seconds_bucket{le="${b}"} ${cumulative}`);
  });
  lines.push(`tandem_api_request_seconds_bucket{le="+Inf"} ${latency.total}`, `tandem_api_request_seconds_sum ${latency.sum}`, `tandem_api_request_seconds_count ${latency.total}`);
  return lines.join('\n') + '\n';
}
