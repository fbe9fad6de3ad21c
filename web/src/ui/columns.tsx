// The transfers list's columns: header text, sort key, width, and how a cell shows a torrent.
import type { JSX } from 'preact';
import type { SortKey } from '../store/view.js';
import type { TorrentSummary } from '../../../src/node/types.js';
import * as fmt from '../lib/format.js';

export interface Column {
  key: SortKey;
  title: string;
  width: string;
  numeric?: boolean;
  cell: (t: TorrentSummary) => JSX.Element | string;
}

export function ProgressBar({ t }: { t: TorrentSummary }): JSX.Element {
  const done = t.progress >= 1;
  return (
    <span class="bar-cell">
      <span class={`bar ${t.status === 'error' ? 'bar-error' : done ? 'bar-done' : t.status === 'stopped' ? 'bar-paused' : ''}`} aria-hidden="true">
        <span style={{ width: `${Math.min(100, t.progress * 100)}%` }} />
      </span>
      <span class="bar-text">{fmt.percent(t.progress)}</span>
    </span>
  );
}

export const COLUMNS: Column[] = [
  { key: 'name', title: 'Name', width: 'minmax(14rem, 1fr)', cell: (t) => <span class="name-text" title={t.name}>{t.name || t.infoHash}</span> },
  { key: 'totalBytes', title: 'Size', width: '5.5rem', numeric: true, cell: (t) => (t.totalBytes ? fmt.bytes(t.totalBytes) : '') },
  { key: 'progress', title: 'Progress', width: '8.5rem', cell: (t) => <ProgressBar t={t} /> },
  { key: 'status', title: 'State', width: '7.5rem', cell: (t) => <span class={`status status-${t.status}`}>{fmt.STATUS_TEXT[t.status] ?? t.status}</span> },
  { key: 'downloadRateBytesPerSec', title: 'Down', width: '6rem', numeric: true, cell: (t) => fmt.rate(t.downloadRateBytesPerSec) },
  { key: 'uploadRateBytesPerSec', title: 'Up', width: '6rem', numeric: true, cell: (t) => fmt.rate(t.uploadRateBytesPerSec) },
  { key: 'peers', title: 'Peers', width: '3.5rem', numeric: true, cell: (t) => (t.peers ? String(t.peers) : '') },
  { key: 'etaSeconds', title: 'ETA', width: '5.5rem', numeric: true, cell: (t) => fmt.eta(t.etaSeconds) },
  { key: 'ratio', title: 'Ratio', width: '3.5rem', numeric: true, cell: (t) => fmt.ratio(t.ratio) },
  { key: 'labels', title: 'Label', width: '5.5rem', cell: (t) => t.labels.join(', ') },
  { key: 'addedAt', title: 'Added', width: '10rem', cell: (t) => fmt.date(t.addedAt) },
];

export const GRID_COLUMNS = COLUMNS.map((c) => c.width).join(' ');
