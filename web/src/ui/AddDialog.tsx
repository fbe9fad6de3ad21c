// Add torrents: magnet links, URLs or paths on the node (one per line), or .torrent files picked or dropped.
// "Choose files first" adds the torrent paused and opens the file chooser once its metadata is known.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { call } from '../api/rpc.js';
import type { AddParams } from '../api/methods.js';
import { attempt, notices } from './notices.js';
import { store } from '../store/instance.js';
import { toBase64 } from '../lib/base64.js';

export interface AddDialogProps {
  onClose: () => void;
  onChoose: (id: number, start: boolean) => void;
  initialFiles?: File[];
}

export function AddDialog({ onClose, onChoose, initialFiles = [] }: AddDialogProps): JSX.Element {
  const [sources, setSources] = useState('');
  const [files, setFiles] = useState<File[]>(initialFiles);
  const [savePath, setSavePath] = useState(store.settings?.downloadDir ?? '');
  const [labels, setLabels] = useState('');
  const [paused, setPaused] = useState(false);
  const [sequential, setSequential] = useState(false);
  const [choose, setChoose] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  const lines = sources.split('\n').map((s) => s.trim()).filter(Boolean);
  const count = lines.length + files.length;

  const submit = async (): Promise<void> => {
    if (count === 0) return;
    setBusy(true);
    const common: AddParams = {
      savePath: savePath.trim() || undefined,
      paused: paused || choose,
      sequential,
      labels: labels.split(',').map((s) => s.trim()).filter(Boolean),
    };
    const requests: AddParams[] = [
      ...lines.map((source) => ({ ...common, source })),
      ...(await Promise.all(files.map(async (f) => ({ ...common, metainfo: toBase64(new Uint8Array(await f.arrayBuffer())) })))),
    ];
    let last: number | undefined;
    for (const params of requests) {
      const added = await attempt('Add', () => call('torrent.add', params));
      if (!added) continue;
      last = added.torrent.id;
      notices.push(added.duplicate ? `Already there: ${added.torrent.name}` : `Added ${added.torrent.name || added.torrent.infoHash}`);
    }
    setBusy(false);
    if (last === undefined) return;
    if (choose && count === 1) onChoose(last, !paused);
    else onClose();
  };

  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setDragging(false);
    const dropped = [...(e.dataTransfer?.files ?? [])].filter((f) => f.name.endsWith('.torrent'));
    if (dropped.length) setFiles([...files, ...dropped]);
    const text = e.dataTransfer?.getData('text/plain');
    if (!dropped.length && text) setSources(sources ? `${sources}\n${text}` : text);
  };

  return (
    <Dialog
      title="Add torrents"
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || count === 0}>{busy ? 'Adding…' : count > 1 ? `Add ${count}` : 'Add'}</button>
        </>
      }
    >
      <div
        class={`drop${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label class="field block">
          <span>Magnet links, URLs or paths on the node, one per line</span>
          <textarea rows={3} value={sources} onInput={(e) => setSources(e.currentTarget.value)} placeholder="magnet:?xt=urn:btih:…" spellcheck={false} />
        </label>
        <label class="field block">
          <span>or .torrent files (you can also drop them here)</span>
          <input type="file" accept=".torrent,application/x-bittorrent" multiple onChange={(e) => setFiles([...files, ...(e.currentTarget.files ?? [])])} />
        </label>
        {files.length > 0 && (
          <ul class="file-chips" aria-label="Chosen .torrent files">
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name}
                <button type="button" class="icon" aria-label={`Drop ${f.name}`} onClick={() => setFiles(files.filter((_, j) => j !== i))}>✕</button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <label class="field block"><span>Download folder on the node</span><input type="text" value={savePath} onInput={(e) => setSavePath(e.currentTarget.value)} spellcheck={false} /></label>
      <label class="field block"><span>Labels, separated by commas</span><input type="text" value={labels} onInput={(e) => setLabels(e.currentTarget.value)} /></label>
      <div class="checks">
        <label><input type="checkbox" checked={paused} onChange={(e) => setPaused(e.currentTarget.checked)} /> Start paused</label>
        <label><input type="checkbox" checked={sequential} onChange={(e) => setSequential(e.currentTarget.checked)} /> Sequential download</label>
        <label><input type="checkbox" checked={choose} disabled={count > 1} onChange={(e) => setChoose(e.currentTarget.checked)} /> Choose files before it starts</label>
      </div>
    </Dialog>
  );
}
