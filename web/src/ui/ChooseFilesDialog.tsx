// Choose a torrent's files before (or while) it downloads. For a magnet added paused it first waits, live, for
// the metadata to arrive; then "Start" sends the choice and resumes the torrent.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { FileTree } from './FileTree.js';
import { call } from '../api/rpc.js';
import { attempt } from './notices.js';
import { store } from '../store/instance.js';
import { useSubscription } from './hooks.js';
import type { TorrentFileInfo } from '../../../src/node/types.js';

export function ChooseFilesDialog({ id, start, onClose }: { id: number; start: boolean; onClose: () => void }): JSX.Element {
  useSubscription(store.subscribe);
  const t = store.torrents.get(id);
  const ready = !!t && t.pieceCount > 0 && t.status !== 'metadata';
  const [files, setFiles] = useState<TorrentFileInfo[] | null>(null);
  const [wanted, setWantedSet] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready || files) return;
    void attempt('Files', () => call('torrent.get', { id })).then((detail) => {
      if (!detail) return;
      setFiles(detail.files);
      setWantedSet(new Set(detail.files.filter((f) => f.wanted).map((f) => f.index)));
    });
  }, [ready, id, files]);

  const setWanted = (indexes: number[], on: boolean): void => {
    const next = new Set(wanted);
    for (const i of indexes) {
      if (on) next.add(i);
      else next.delete(i);
    }
    setWantedSet(next);
  };

  const apply = async (resume: boolean): Promise<void> => {
    if (!files) return;
    setBusy(true);
    const filesWanted = files.filter((f) => wanted.has(f.index)).map((f) => f.index);
    const filesUnwanted = files.filter((f) => !wanted.has(f.index)).map((f) => f.index);
    const ok = await attempt('Choose files', async () => {
      await call('torrent.set', { ids: [id], filesWanted, filesUnwanted });
      if (resume) await call('torrent.resume', { ids: [id] });
      return true;
    });
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog
      wide
      title={`Files of ${t?.name || 'the torrent'}`}
      onClose={onClose}
      onSubmit={() => apply(start)}
      actions={
        <>
          <button type="button" onClick={onClose}>Cancel</button>
          {start && <button type="button" disabled={!files || busy} onClick={() => void apply(false)}>Keep paused</button>}
          <button type="submit" class="primary" disabled={!files || busy || wanted.size === 0}>{start ? 'Start' : 'Apply'}</button>
        </>
      }
    >
      {!t && <p>This torrent is gone.</p>}
      {t && !ready && <p class="waiting" role="status">Waiting for the torrent's metadata from its peers…</p>}
      {files && <FileTree files={files} wanted={(i) => wanted.has(i)} setWanted={setWanted} showProgress={false} />}
    </Dialog>
  );
}
