// The three small dialogs of the toolbar: remove (with or without the data), set labels, set limits.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { call } from '../api/rpc.js';
import { attempt, notices } from './notices.js';
import { store } from '../store/instance.js';

interface Props {
  ids: number[];
  onClose: () => void;
}

function names(ids: number[]): string {
  const first = ids.slice(0, 3).map((id) => store.torrents.get(id)?.name ?? `#${id}`);
  return ids.length > 3 ? `${first.join(', ')} and ${ids.length - 3} more` : first.join(', ');
}

export function RemoveDialog({ ids, onClose }: Props): JSX.Element {
  const [busy, setBusy] = useState(false);
  const remove = async (deleteData: boolean): Promise<void> => {
    setBusy(true);
    const done = await attempt('Remove', () => call('torrent.remove', { ids, deleteData }));
    setBusy(false);
    if (done) {
      notices.push(`Removed ${done.ids.length} torrent${done.ids.length === 1 ? '' : 's'}${deleteData ? ' and their data' : ''}`);
      onClose();
    }
  };
  return (
    <Dialog
      title={`Remove ${ids.length} torrent${ids.length === 1 ? '' : 's'}?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" disabled={busy} onClick={() => void remove(false)}>Remove</button>
          <button type="button" class="danger" disabled={busy} onClick={() => void remove(true)}>Remove and delete data</button>
        </>
      }
    >
      <p>{names(ids)}</p>
      <p>“Remove” keeps the downloaded files on the node's disk; “Remove and delete data” deletes them too.</p>
    </Dialog>
  );
}

export function LabelDialog({ ids, onClose }: Props): JSX.Element {
  const current = store.torrents.get(ids[0]!)?.labels.join(', ') ?? '';
  const [text, setText] = useState(current);
  return (
    <Dialog
      title="Labels"
      onClose={onClose}
      onSubmit={async () => {
        const labels = text.split(',').map((s) => s.trim()).filter(Boolean);
        if (await attempt('Set labels', () => call('torrent.set', { ids, labels }))) onClose();
      }}
      actions={<><button type="button" onClick={onClose}>Cancel</button><button type="submit" class="primary">Set</button></>}
    >
      <label class="field block">
        <span>Labels of {names(ids)}, separated by commas (empty for none)</span>
        <input type="text" value={text} onInput={(e) => setText(e.currentTarget.value)} autoFocus />
      </label>
    </Dialog>
  );
}

const KIB = 1024;

export function LimitsDialog({ ids, onClose }: Props): JSX.Element {
  const first = store.torrents.get(ids[0]!);
  const [down, setDown] = useState(String((first?.downloadLimitBytesPerSec ?? 0) / KIB));
  const [up, setUp] = useState(String((first?.uploadLimitBytesPerSec ?? 0) / KIB));
  return (
    <Dialog
      title="Speed limits"
      onClose={onClose}
      onSubmit={async () => {
        const changes = { downloadLimitBytesPerSec: Math.round(Number(down) * KIB) || 0, uploadLimitBytesPerSec: Math.round(Number(up) * KIB) || 0 };
        if (await attempt('Set limits', () => call('torrent.set', { ids, ...changes }))) onClose();
      }}
      actions={<><button type="button" onClick={onClose}>Cancel</button><button type="submit" class="primary">Set</button></>}
    >
      <p>For {names(ids)}; 0 means no limit.</p>
      <label class="field block"><span>Download limit (KiB/s)</span><input type="number" min="0" value={down} onInput={(e) => setDown(e.currentTarget.value)} /></label>
      <label class="field block"><span>Upload limit (KiB/s)</span><input type="number" min="0" value={up} onInput={(e) => setUp(e.currentTarget.value)} /></label>
    </Dialog>
  );
}
