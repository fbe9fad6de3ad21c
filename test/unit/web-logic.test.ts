// The web UI's pure logic (web/src: selection, the list's sort, filters and caches, the filter counts, the file
// tree, the piece bar's arithmetic, formats), bundled from its TypeScript source by esbuild, as the build does,
// and run in Node: no browser needed for what touches no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

interface T { id: number; name: string; status: string; progress: number; labels: string[]; addedAt: number; downloadRateBytesPerSec: number; uploadRateBytesPerSec: number; totalBytes: number }
interface Selection { ids: ReadonlySet<number>; anchor: number | null; focus: number | null }
interface Store { torrents: Map<number, T>; version: number; facets: { states: Map<string, number>; labels: Map<string, number> }; applyBatch(b: { events: unknown[]; receivedAt: number; flushedAt: number; parseMs: number }): void }
type Params = { sortKey: string; descending: boolean; state: string; label: string; search: string };
interface Web {
  pick(s: Selection, rows: number[], id: number, m: { toggle: boolean; range: boolean }): Selection;
  prune(s: Selection, exists: (id: number) => boolean): Selection;
  EMPTY_SELECTION: Selection;
  NodeStore: new () => Store;
  computeRows(store: Store, p: Params): number[];
  RowsCache: new () => { get(store: Store, p: Params): number[] };
  matchesState(t: T, state: string): boolean;
  buildTree(files: { index: number; path: string }[]): unknown;
  flatten(root: unknown, files: { path: string }[], expanded: Set<string>): { depth: number; path: string; file: number; indexes: number[] }[];
  columnStates(bits: { have: Uint8Array; downloading: Uint8Array; available: Uint8Array }, pieces: number, width: number): { state: Uint8Array; haveFraction: Float32Array };
  countBits(bits: Uint8Array, pieces: number): number;
  until(ms: number, now: number): string;
  percent(f: number): string;
  bytes(n: number): string;
}

const SOURCES = ['store/selection.ts', 'store/torrents.ts', 'store/view.ts', 'store/facets.ts', 'lib/file-tree.ts', 'lib/pieces.ts', 'lib/format.ts'];

async function loadWeb(): Promise<Web> {
  const root = fileURLToPath(new URL('../../../web/src/', import.meta.url));
  const entry = SOURCES.map((f) => `export * from ${JSON.stringify(root + f)};`).join('\n');
  const out = await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  return (await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`)) as Web;
}

const web = await loadWeb();

function torrent(id: number, over: Partial<T> = {}): T {
  return { id, name: `t${id}`, status: 'stopped', progress: 0, labels: [], addedAt: id, downloadRateBytesPerSec: 0, uploadRateBytesPerSec: 0, totalBytes: 100, ...over };
}

function storeWith(torrents: T[]): Store {
  const store = new web.NodeStore();
  store.applyBatch({ events: [{ seq: 1, type: 'snapshot', torrents, servers: [] }], receivedAt: 0, flushedAt: 0, parseMs: 0 });
  return store;
}

const change = (store: Store, id: number, changes: Partial<T>): void =>
  store.applyBatch({ events: [{ seq: 2, type: 'torrent:changed', id, infoHash: '', changes }], receivedAt: 0, flushedAt: 0, parseMs: 0 });

test('selection: click selects one, ctrl toggles, shift selects the range from the anchor, ctrl+shift adds it', () => {
  const rows = [5, 3, 9, 1, 7];
  let s = web.pick(web.EMPTY_SELECTION, rows, 3, { toggle: false, range: false });
  assert.deepEqual([...s.ids], [3]);
  s = web.pick(s, rows, 1, { toggle: false, range: true });
  assert.deepEqual([...s.ids].sort(), [1, 3, 9]);
  assert.equal(s.anchor, 3);
  s = web.pick(s, rows, 9, { toggle: true, range: false });
  assert.deepEqual([...s.ids].sort(), [1, 3]);
  s = web.pick(web.pick(web.EMPTY_SELECTION, rows, 5, { toggle: false, range: false }), rows, 7, { toggle: true, range: false });
  s = web.pick(s, rows, 1, { toggle: true, range: true });
  assert.deepEqual([...s.ids].sort(), [1, 5, 7]);
  const pruned = web.prune(s, (id) => id !== 7);
  assert.deepEqual([...pruned.ids].sort(), [1, 5]);
  assert.equal(pruned.focus, 1);
});

test('list view: sort with ties broken by id, filters by state, label and search; the cache re-sorts only when it must', () => {
  const store = storeWith([
    torrent(1, { name: 'Beta', status: 'seeding', progress: 1, labels: ['iso'] }),
    torrent(2, { name: 'alpha', status: 'downloading', progress: 0.5 }),
    torrent(3, { name: 'Beta', status: 'stopped', labels: ['iso'] }),
    torrent(4, { name: 'gamma', status: 'downloading', downloadRateBytesPerSec: 10 }),
  ]);
  const p: Params = { sortKey: 'name', descending: false, state: 'all', label: '', search: '' };
  assert.deepEqual(web.computeRows(store, p), [2, 1, 3, 4]);
  assert.deepEqual(web.computeRows(store, { ...p, descending: true }), [4, 1, 3, 2]);
  assert.deepEqual(web.computeRows(store, { ...p, state: 'downloading' }), [2, 4]);
  assert.deepEqual(web.computeRows(store, { ...p, state: 'active' }), [4]);
  assert.deepEqual(web.computeRows(store, { ...p, label: 'iso' }), [1, 3]);
  assert.deepEqual(web.computeRows(store, { ...p, search: 'ALP' }), [2]);
  const cache = new web.RowsCache();
  const first = cache.get(store, p);
  change(store, 2, { downloadRateBytesPerSec: 99 });
  assert.equal(cache.get(store, p), first, 'a rate change does not re-sort a list sorted by name');
  change(store, 2, { name: 'zeta' });
  assert.deepEqual(cache.get(store, p), [1, 3, 4, 2]);
});

test('filter counts follow every added, changed and removed torrent as a full recount would', () => {
  const store = storeWith([torrent(1), torrent(2, { status: 'seeding', progress: 1, labels: ['a'] })]);
  let rng = 7;
  const next = (n: number): number => (rng = (rng * 1103515245 + 12345) % 2 ** 31) % n;
  const statuses = ['stopped', 'queued', 'checking', 'metadata', 'downloading', 'seeding', 'error'];
  for (let i = 0; i < 400; i++) {
    const id = 1 + next(12);
    const kind = next(3);
    if (kind === 0) store.applyBatch({ events: [{ seq: i, type: 'torrent:added', torrent: torrent(id, { labels: next(2) ? ['a'] : ['b', 'c'] }) }], receivedAt: 0, flushedAt: 0, parseMs: 0 });
    else if (kind === 1) change(store, id, { status: statuses[next(7)]!, progress: next(3) / 2, labels: next(2) ? [] : ['c'], uploadRateBytesPerSec: next(2) });
    else store.applyBatch({ events: [{ seq: i, type: 'torrent:removed', id, infoHash: '' }], receivedAt: 0, flushedAt: 0, parseMs: 0 });
  }
  const all = [...store.torrents.values()];
  for (const [state, n] of store.facets.states) assert.equal(n, all.filter((t) => web.matchesState(t, state)).length, state);
  const labels = new Map<string, number>();
  for (const t of all) for (const l of t.labels) labels.set(l, (labels.get(l) ?? 0) + 1);
  assert.deepEqual(new Map([...store.facets.labels].sort()), new Map([...labels].sort()));
});

test('file tree: folders first, collapsed folders hide their files, a folder row carries every file under it', () => {
  const files = [{ index: 0, path: 'album/cd1/01.flac' }, { index: 1, path: 'album/cd1/02.flac' }, { index: 2, path: 'album/cover.jpg' }, { index: 3, path: 'album/cd2/01.flac' }];
  const tree = web.buildTree(files);
  assert.deepEqual(web.flatten(tree, files, new Set()).map((r) => [r.path, r.indexes.sort()]), [['album', [0, 1, 2, 3]]]);
  const open = web.flatten(tree, files, new Set(['album', 'album/cd1']));
  assert.deepEqual(open.map((r) => [r.depth, r.path, r.file]), [
    [0, 'album', -1], [1, 'album/cd1', -1], [2, 'album/cd1/01.flac', 0], [2, 'album/cd1/02.flac', 1], [1, 'album/cd2', -1], [1, 'album/cover.jpg', 2],
  ]);
});

test('piece bar: one column per pixel; under way shows at any size, then have against available, then missing', () => {
  // Pieces, one character each: h have, d downloading, a available from peers, . missing.
  const bitsOf = (text: string, c: string): Uint8Array => {
    const out = new Uint8Array(Math.ceil(text.length / 8));
    [...text].forEach((x, i) => { if (x === c) out[i >> 3]! |= 0x80 >> (i & 7); });
    return out;
  };
  const columns = (text: string, width: number): string => {
    const bits = { have: bitsOf(text, 'h'), downloading: bitsOf(text, 'd'), available: bitsOf(text, 'a') };
    return [...web.columnStates(bits, text.length, width).state].map((s) => '.adh'[s]).join('');
  };
  assert.equal(columns('hda.', 4), 'hda.');
  assert.equal(columns('hhhd', 1), 'd', 'one piece under way marks its column');
  assert.equal(columns('haa.hh', 3), 'hah');
  assert.equal(columns('ha', 1), 'h', 'as many had as available: have');
  assert.equal(columns('haa', 1), 'a');
  assert.equal(columns('h..', 1), 'h');
  assert.equal(columns('..', 3), '...', 'more columns than pieces');
  const shade = web.columnStates({ have: bitsOf('h...', 'h'), downloading: new Uint8Array(0), available: new Uint8Array(0) }, 4, 1).haveFraction;
  assert.deepEqual([...shade], [0.25]);
  assert.equal(columns('', 2), '..');
  assert.equal(web.countBits(bitsOf('h.hh.', 'h'), 5), 3);
  assert.equal(web.countBits(new Uint8Array(0), 5), 0, 'an absent bitfield has nothing set');
});

test('formats: never 100% before done, binary units', () => {
  assert.equal(web.percent(0.99999), '99.9%');
  assert.equal(web.percent(1), '100%');
  assert.equal(web.bytes(1536), '1.5 KiB');
  assert.equal(web.bytes(6 * 1024 * 1024), '6.0 MiB');
  assert.equal(web.until(0, 5_000), '');
  assert.equal(web.until(5_500, 5_000), 'now');
  assert.equal(web.until(1_805_000, 5_000), 'in 30m 0s');
});
