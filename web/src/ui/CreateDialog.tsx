// Create a torrent from a path on the node's disk; then seed it there, download the .torrent, or both.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { call } from '../api/rpc.js';
import { attempt, notices } from './notices.js';
import { fromBase64 } from '../lib/base64.js';
import * as fmt from '../lib/format.js';
import { store } from '../store/instance.js';
import { useSubscription } from './hooks.js';

const PIECE_LENGTHS = [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384].map((k) => k * 1024);

function lines(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

export function CreateDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const [path, setPath] = useState('');
  const [trackers, setTrackers] = useState('');
  const [webSeeds, setWebSeeds] = useState('');
  const [priv, setPriv] = useState(false);
  const [hybrid, setHybrid] = useState(false);
  const [seed, setSeed] = useState(true);
  const [pieceLength, setPieceLength] = useState(0);
  // The job name of the creation under way: the node's create:progress events for it carry the same name.
  const [job, setJob] = useState<string | null>(null);
  const [result, setResult] = useState<{ url: string; name: string } | null>(null);
  useSubscription(store.subscribe);
  const progress = job === null ? undefined : store.creating.get(job);
  const fraction = progress && progress.totalBytes > 0 ? progress.hashedBytes / progress.totalBytes : 0;
  const busy = job !== null;

  useEffect(() => () => { if (result) URL.revokeObjectURL(result.url); }, [result]);

  const submit = async (): Promise<void> => {
    const id = `create-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    store.creating.set(id, { hashedBytes: 0, totalBytes: 0 });
    setJob(id);
    const created = await attempt('Create', () => call('torrent.create', {
      job: id,
      path: path.trim(),
      trackers: lines(trackers),
      webSeeds: lines(webSeeds),
      private: priv,
      hybrid,
      seed,
      ...(pieceLength ? { pieceLengthBytes: pieceLength } : {}),
    }));
    store.creating.delete(id);
    setJob(null);
    if (!created) return;
    const name = `${path.trim().replace(/\/+$/, '').split('/').pop() || 'created'}.torrent`;
    const blob = new Blob([fromBase64(created.metainfo)], { type: 'application/x-bittorrent' });
    setResult({ url: URL.createObjectURL(blob), name });
    notices.push(created.torrent ? `Created and seeding ${created.torrent.name}` : `Created ${name}`);
  };

  return (
    <Dialog
      wide
      title="Create a torrent"
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" onClick={onClose}>{result ? 'Done' : 'Cancel'}</button>
          {result && <a class="button" href={result.url} download={result.name}>Download {result.name}</a>}
          <button type="submit" class="primary" disabled={busy || !path.trim()}>{busy ? 'Hashing…' : 'Create'}</button>
        </>
      }
    >
      <label class="field block"><span>File or folder on the node</span><input type="text" required value={path} onInput={(e) => setPath(e.currentTarget.value)} spellcheck={false} placeholder="/srv/share/big.iso" /></label>
      <label class="field block"><span>Trackers, one announce URL per line</span><textarea rows={2} value={trackers} onInput={(e) => setTrackers(e.currentTarget.value)} spellcheck={false} /></label>
      <label class="field block"><span>Web seeds, one URL per line</span><textarea rows={2} value={webSeeds} onInput={(e) => setWebSeeds(e.currentTarget.value)} spellcheck={false} /></label>
      <label class="field block">
        <span>Piece length</span>
        <select value={String(pieceLength)} onChange={(e) => setPieceLength(Number(e.currentTarget.value))}>
          {PIECE_LENGTHS.map((n) => <option key={n} value={String(n)}>{n === 0 ? 'Automatic' : n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`}</option>)}
        </select>
      </label>
      <div class="checks">
        <label><input type="checkbox" checked={hybrid} onChange={(e) => setHybrid(e.currentTarget.checked)} /> Hybrid (v1 + v2)</label>
        <label><input type="checkbox" checked={priv} onChange={(e) => setPriv(e.currentTarget.checked)} /> Private</label>
        <label><input type="checkbox" checked={seed} onChange={(e) => setSeed(e.currentTarget.checked)} /> Seed it from the node</label>
      </div>
      {busy && (
        <div class="create-progress">
          {/* Indeterminate until the node has read the path and says how many bytes it will hash. */}
          <progress aria-label="Hashing" {...(progress?.totalBytes ? { value: fraction, max: 1 } : {})} />
          <span role="status">
            {progress?.totalBytes ? `Hashing: ${fmt.percent(fraction)} · ${fmt.bytes(progress.hashedBytes)} of ${fmt.bytes(progress.totalBytes)}` : 'Reading the files…'}
          </span>
        </div>
      )}
      {result && <p role="status">Created. {seed ? 'The node seeds it; ' : ''}the .torrent is ready to download.</p>}
    </Dialog>
  );
}
