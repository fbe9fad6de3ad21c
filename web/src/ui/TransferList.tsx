// The transfers list: a virtualised ARIA grid. The grid itself holds the keyboard focus and points at the
// keyboard's row with aria-activedescendant, so rows can come and go as the list scrolls.
import type { JSX } from 'preact';
import { COLUMNS, GRID_COLUMNS, ProgressBar } from './columns.js';
import { VirtualList } from './VirtualList.js';
import { listRendered } from '../store/perf.js';
import { pick, selectAll, type Selection } from '../store/selection.js';
import type { SortKey } from '../store/view.js';
import type { TorrentSummary } from '../../../src/node/types.js';
import * as fmt from '../lib/format.js';

export interface TransferListProps {
  rows: number[];
  torrent: (id: number) => TorrentSummary | undefined;
  selection: Selection;
  onSelection: (s: Selection) => void;
  sortKey: SortKey;
  descending: boolean;
  onSort: (key: SortKey) => void;
  onOpen: (id: number) => void;
  onRemove: () => void;
  compact: boolean;
  /** Changes whenever any torrent changed, so visible rows re-render. */
  version: number;
}

const ROW_HEIGHT = 32;
const COMPACT_ROW_HEIGHT = 58;

function Header({ sortKey, descending, onSort }: Pick<TransferListProps, 'sortKey' | 'descending' | 'onSort'>): JSX.Element {
  return (
    <div role="rowgroup" class="tl-head">
      <div role="row" aria-rowindex={1} class="tl-row" style={{ gridTemplateColumns: GRID_COLUMNS }}>
        {COLUMNS.map((c) => (
          <div role="columnheader" key={c.key} class={c.numeric ? 'num' : ''} aria-sort={sortKey === c.key ? (descending ? 'descending' : 'ascending') : 'none'}>
            <button type="button" onClick={() => onSort(c.key)}>
              {c.title}
              <span aria-hidden="true">{sortKey === c.key ? (descending ? ' ▾' : ' ▴') : ''}</span>
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

function CompactCells({ t }: { t: TorrentSummary }): JSX.Element {
  const rates = [fmt.rate(t.downloadRateBytesPerSec) && `↓ ${fmt.rate(t.downloadRateBytesPerSec)}`, fmt.rate(t.uploadRateBytesPerSec) && `↑ ${fmt.rate(t.uploadRateBytesPerSec)}`].filter(Boolean).join(' ');
  return (
    <div role="gridcell" class="tl-compact">
      <span class="name-text">{t.name || t.infoHash}</span>
      <ProgressBar t={t} />
      <span class="tl-compact-meta">
        <span class={`status status-${t.status}`}>{fmt.STATUS_TEXT[t.status] ?? t.status}</span>
        {t.totalBytes ? ` · ${fmt.bytes(t.totalBytes)}` : ''}
        {rates ? ` · ${rates}` : ''}
        {t.etaSeconds >= 0 ? ` · ${fmt.eta(t.etaSeconds)}` : ''}
      </span>
    </div>
  );
}

export function TransferList(props: TransferListProps): JSX.Element {
  const { rows, torrent, selection, onSelection, compact } = props;
  const focusIndex = selection.focus === null ? -1 : rows.indexOf(selection.focus);

  const onKeyDown = (e: KeyboardEvent): void => {
    // Keys on a column header's sort button are the button's own.
    if (e.target !== e.currentTarget) return;
    const move = (to: number): void => {
      const id = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (id === undefined) return;
      e.preventDefault();
      onSelection(pick(selection, rows, id, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey }));
    };
    const page = 10;
    if (e.key === 'ArrowDown') move(focusIndex + 1);
    else if (e.key === 'ArrowUp') move(focusIndex < 0 ? 0 : focusIndex - 1);
    else if (e.key === 'PageDown') move(focusIndex + page);
    else if (e.key === 'PageUp') move(focusIndex - page);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSelection(selectAll(rows));
    } else if (e.key === ' ' && selection.focus !== null) {
      e.preventDefault();
      onSelection(pick(selection, rows, selection.focus, { toggle: true, range: false }));
    } else if (e.key === 'Enter' && selection.focus !== null) props.onOpen(selection.focus);
    else if (e.key === 'Delete' && selection.ids.size > 0) props.onRemove();
  };

  // Without the header row (compact), rows count from 1.
  const headerRows = compact ? 0 : 1;
  const renderRow = (index: number, style: JSX.CSSProperties): JSX.Element | null => {
      const id = rows[index]!;
      const t = torrent(id);
      if (!t) return null;
      const selected = selection.ids.has(id);
      return (
        <div
          role="row"
          id={`torrent-${id}`}
          key={id}
          aria-rowindex={index + 1 + headerRows}
          aria-selected={selected}
          class={`tl-row${selected ? ' selected' : ''}${selection.focus === id ? ' focused' : ''}`}
          style={compact ? style : { ...style, gridTemplateColumns: GRID_COLUMNS }}
          onClick={(e) => onSelection(pick(selection, rows, id, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey }))}
          onDblClick={() => props.onOpen(id)}
        >
          {compact ? <CompactCells t={t} /> : COLUMNS.map((c) => <div role="gridcell" key={c.key} class={c.numeric ? 'num' : ''}>{c.cell(t)}</div>)}
        </div>
      );
  };

  return (
    <VirtualList
      class={`tl${compact ? ' compact' : ''}`}
      role="grid"
      aria-label="Transfers"
      aria-multiselectable="true"
      aria-rowcount={rows.length + headerRows}
      aria-activedescendant={selection.focus !== null && focusIndex >= 0 ? `torrent-${selection.focus}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      count={rows.length}
      rowHeight={compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT}
      renderRow={renderRow}
      scrollTo={focusIndex}
      onRendered={() => listRendered(rows.length)}
      header={compact ? undefined : <Header {...props} />}
    />
  );
}
