// The details panel of the focused torrent: overview (piece bar, speed graph), files, peers, trackers.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useDetail } from './useDetail.js';
import { Overview } from './Overview.js';
import { FilesTab } from './FilesTab.js';
import { PeersTab } from './PeersTab.js';
import { TrackersTab } from './TrackersTab.js';
import type { TorrentSummary } from '../../../../src/node/types.js';

const TABS = ['Overview', 'Files', 'Peers', 'Trackers'] as const;
type Tab = (typeof TABS)[number];

export interface DetailsProps {
  torrent: TorrentSummary;
  compact: boolean;
  onClose: () => void;
  onChooseFiles: () => void;
}

export function Details({ torrent, compact, onClose }: DetailsProps): JSX.Element {
  const [tab, setTab] = useState<Tab>('Overview');
  const [detail, refresh] = useDetail(torrent);
  const onTabKey = (e: KeyboardEvent): void => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <section class={`details${compact ? ' sheet' : ''}`} aria-label={`Details of ${torrent.name}`}>
      <header class="details-head">
        <h2 class="name-text" title={torrent.name}>{torrent.name || torrent.infoHash}</h2>
        <div role="tablist" aria-label="Details" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t}
              id={`tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls="details-panel"
              tabIndex={tab === t ? 0 : -1}
              onClick={() => setTab(t)}
            >
              {t}{t === 'Peers' && detail ? ` (${detail.peerList.length})` : t === 'Files' && detail ? ` (${detail.files.length})` : ''}
            </button>
          ))}
        </div>
        <button type="button" class="icon" aria-label="Close details" onClick={onClose}>✕</button>
      </header>
      <div id="details-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} class="details-body">
        {!detail ? <p class="waiting">Loading…</p>
          : tab === 'Overview' ? <Overview t={torrent} d={detail} />
          : tab === 'Files' ? <FilesTab d={detail} refresh={refresh} />
          : tab === 'Peers' ? <PeersTab d={detail} />
          : <TrackersTab d={detail} />}
      </div>
    </section>
  );
}
