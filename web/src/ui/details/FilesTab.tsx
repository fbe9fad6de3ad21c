// The files tab: the live file tree; a change is sent at once and shown before the daemon confirms it.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { FileTree } from '../FileTree.js';
import { call } from '../../api/rpc.js';
import { attempt } from '../notices.js';
import type { TorrentDetail, TorrentFileInfo } from '../../../../src/node/types.js';

export function FilesTab({ d, refresh }: { d: TorrentDetail; refresh: () => void }): JSX.Element {
  const [files, setFiles] = useState<TorrentFileInfo[]>(d.files);
  useEffect(() => setFiles(d.files), [d]);
  if (files.length === 0) return <p class="waiting">The file list arrives with the torrent's metadata.</p>;
  const update = (indexes: number[], change: Partial<TorrentFileInfo>): void => {
    const set = new Set(indexes);
    setFiles(files.map((f) => (set.has(f.index) ? { ...f, ...change } : f)));
  };
  return (
    <FileTree
      files={files}
      showProgress
      wanted={(i) => files[i]?.wanted ?? false}
      setWanted={(indexes, wanted) => {
        update(indexes, { wanted });
        void attempt('Files', () => call('torrent.set', { ids: [d.id], ...(wanted ? { filesWanted: indexes } : { filesUnwanted: indexes }) })).then(refresh);
      }}
      setPriority={(indexes, priority) => {
        update(indexes, { priority });
        const key = priority === 1 ? 'priorityHigh' : priority === -1 ? 'priorityLow' : 'priorityNormal';
        void attempt('Priority', () => call('torrent.set', { ids: [d.id], [key]: indexes })).then(refresh);
      }}
    />
  );
}
