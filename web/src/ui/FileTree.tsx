// A torrent's files as a tree with wanted checkboxes (a folder's box sets everything under it), select all or
// none or by extension, and per-file priority. Virtualised: 20,000 files scroll like twenty.
import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { VirtualList } from './VirtualList.js';
import { buildTree, extensionOf, flatten, folderPaths, type TreeRow } from '../lib/file-tree.js';
import type { TorrentFileInfo } from '../../../src/node/types.js';
import * as fmt from '../lib/format.js';

export interface FileTreeProps {
  files: TorrentFileInfo[];
  wanted: (index: number) => boolean;
  setWanted: (indexes: number[], wanted: boolean) => void;
  setPriority?: (indexes: number[], priority: -1 | 0 | 1) => void;
  showProgress: boolean;
}

const ROW_HEIGHT = 30;
const EXPAND_ALL_BELOW = 200;

export function FileTree({ files, wanted, setWanted, setPriority, showProgress }: FileTreeProps): JSX.Element {
  const tree = useMemo(() => buildTree(files), [files.length, files[0]?.path]);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(files.length < EXPAND_ALL_BELOW ? folderPaths(tree) : []));
  const rows = useMemo(() => flatten(tree, files, expanded), [tree, expanded, files]);
  const extensions = useMemo(() => [...new Set(files.map((f) => extensionOf(f.path)).filter(Boolean))].sort(), [tree]);
  const [ext, setExt] = useState('');
  const all = files.map((f) => f.index);
  const wantedCount = all.filter(wanted).length;

  const toggle = (path: string): void => {
    const next = new Set(expanded);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setExpanded(next);
  };

  const renderRow = (index: number, style: JSX.CSSProperties): JSX.Element => {
    const row: TreeRow = rows[index]!;
    const n = row.indexes.filter(wanted).length;
    const size = row.indexes.reduce((sum, i) => sum + (files[i]?.lengthBytes ?? 0), 0);
    const done = row.indexes.reduce((sum, i) => sum + (files[i]?.verifiedBytes ?? 0), 0);
    const file = row.file >= 0 ? files[row.file] : undefined;
    const isFolder = row.file < 0;
    return (
      <div role="row" key={row.path} class="ft-row" style={style} aria-level={row.depth + 1} aria-expanded={isFolder ? expanded.has(row.path) : undefined}>
        <div role="gridcell" class="ft-name" style={{ paddingLeft: `${row.depth * 1.1 + 0.3}rem` }}>
          {isFolder ? (
            <button type="button" class="icon expander" aria-label={`${expanded.has(row.path) ? 'Collapse' : 'Expand'} ${row.name}`} onClick={() => toggle(row.path)}>
              {expanded.has(row.path) ? '▾' : '▸'}
            </button>
          ) : <span class="expander" />}
          <input
            type="checkbox"
            aria-label={`Want ${row.path}`}
            checked={n === row.indexes.length}
            ref={(el) => { if (el) el.indeterminate = n > 0 && n < row.indexes.length; }}
            onChange={(e) => setWanted(row.indexes, e.currentTarget.checked)}
          />
          <span class="name-text" title={row.path}>{isFolder ? `${row.name}/` : row.name}</span>
        </div>
        <div role="gridcell" class="num">{fmt.bytes(size)}</div>
        {showProgress && <div role="gridcell" class="num">{size ? fmt.percent(done / size) : ''}</div>}
        {setPriority && (
          <div role="gridcell">
            {file && (
              <select aria-label={`Priority of ${row.path}`} value={String(file.priority)} onChange={(e) => setPriority([file.index], Number(e.currentTarget.value) as -1 | 0 | 1)}>
                <option value="1">High</option>
                <option value="0">Normal</option>
                <option value="-1">Low</option>
              </select>
            )}
          </div>
        )}
      </div>
    );
  };

  return (
    <div class="file-tree">
      <div class="ft-tools">
        <span aria-live="polite">{wantedCount} of {files.length} files wanted</span>
        <button type="button" onClick={() => setWanted(all, true)}>All</button>
        <button type="button" onClick={() => setWanted(all, false)}>None</button>
        <label class="field">
          <span class="sr-only">Extension</span>
          <select value={ext} onChange={(e) => setExt(e.currentTarget.value)} aria-label="Extension">
            <option value="">Extension…</option>
            {extensions.map((x) => <option key={x} value={x}>.{x}</option>)}
          </select>
        </label>
        <button type="button" disabled={!ext} onClick={() => setWanted(all.filter((i) => extensionOf(files[i]!.path) === ext), true)}>Want .{ext || '…'}</button>
        <button type="button" disabled={!ext} onClick={() => setWanted(all.filter((i) => extensionOf(files[i]!.path) === ext), false)}>Skip .{ext || '…'}</button>
      </div>
      <VirtualList
        class="ft-list"
        role="treegrid"
        aria-label="Files"
        aria-rowcount={rows.length}
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        renderRow={renderRow}
      />
    </div>
  );
}
