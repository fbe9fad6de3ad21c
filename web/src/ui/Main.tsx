// The main view: header, filters, toolbar, the transfers list, the details of the focused torrent, the dialogs.
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { StreamState } from '../api/events.js';
import { store } from '../store/instance.js';
import { rateHistory } from '../store/history.js';
import { EMPTY_SELECTION, prune, type Selection } from '../store/selection.js';
import { FacetsCache, RowsCache, type ViewParams } from '../store/view.js';
import { Header } from './Header.js';
import { Notices } from './NoticeList.js';
import { Toolbar, type SelectionAction } from './Toolbar.js';
import { FilterBar } from './FilterBar.js';
import { TransferList } from './TransferList.js';
import { Details } from './details/Details.js';
import { Modals, type Modal } from './Modals.js';
import { runAction, setAltSpeed } from './actions.js';
import { useMedia, useSubscription } from './hooks.js';

const INITIAL_VIEW: ViewParams = { sortKey: 'addedAt', descending: true, state: 'all', label: '', search: '' };

export function Main({ stream }: { stream: StreamState }): JSX.Element {
  useSubscription(store.subscribe);
  const compact = useMedia('(max-width: 760px)');
  const [params, setParams] = useState(INITIAL_VIEW);
  const [selection, setSelectionRaw] = useState<Selection>(EMPTY_SELECTION);
  const [modal, setModal] = useState<Modal>(null);
  const [detailsOpen, setDetailsOpen] = useState(!compact);
  const [dropped, setDropped] = useState<File[]>([]);
  const cache = useRef(new RowsCache()).current;
  const rows = cache.get(store, params);
  const facets = useRef(new FacetsCache()).current.get(store);
  const sel = prune(selection, (id) => store.torrents.has(id));
  const ids = [...sel.ids];
  const totals = rateHistory.sample(store);

  const setSelection = (s: Selection): void => {
    setSelectionRaw(s);
    if (!compact && s.focus !== null) setDetailsOpen(true);
  };

  const onAction = (a: SelectionAction): void => {
    if (a === 'details') setDetailsOpen(true);
    else if (a === 'files') setModal({ choose: ids[0]!, start: false });
    else if (!runAction(a, ids)) setModal(a as 'remove' | 'label' | 'limits');
  };
  const focused = sel.focus !== null ? store.torrents.get(sel.focus) : undefined;

  return (
    <div
      class={`app${focused && detailsOpen ? ' with-details' : ''}`}
      onDragOver={(e) => { if (modal === null && e.dataTransfer?.types.includes('Files')) e.preventDefault(); }}
      onDrop={(e) => {
        // A .torrent dropped anywhere on the page opens the add dialog with it.
        const files = [...(e.dataTransfer?.files ?? [])].filter((f) => f.name.endsWith('.torrent'));
        if (modal !== null || files.length === 0) return;
        e.preventDefault();
        setDropped(files);
        setModal('add');
      }}
    >
      <Header stream={stream} down={totals.down} up={totals.up} settings={store.settings} onAltSpeed={setAltSpeed} onPanel={setModal} />
      <main class="transfers">
        <FilterBar params={params} onParams={setParams} states={facets.states} labels={facets.labels} shown={rows.length} compact={compact} />
        <Toolbar count={sel.ids.size} onAction={onAction} />
        {store.loaded && store.torrents.size === 0 ? (
          <p class="empty">No torrents yet. <button type="button" class="link" onClick={() => setModal('add')}>Add one</button> or drop a .torrent file here.</p>
        ) : (
          <TransferList
            rows={rows}
            torrent={(id) => store.torrents.get(id)}
            selection={sel}
            onSelection={setSelection}
            sortKey={params.sortKey}
            descending={params.descending}
            onSort={(key) => setParams({ ...params, sortKey: key, descending: params.sortKey === key ? !params.descending : false })}
            onOpen={() => setDetailsOpen(true)}
            onRemove={() => setModal('remove')}
            compact={compact}
            version={store.version}
          />
        )}
      </main>
      {focused && detailsOpen && <Details torrent={focused} compact={compact} onClose={() => setDetailsOpen(false)} onChooseFiles={() => setModal({ choose: focused.id, start: false })} />}
      <footer class="status-bar">
        <span>{store.torrents.size} torrents</span>
        <span>{store.settings?.version ? `tandem ${store.settings.version}` : ''}</span>
      </footer>
      <Notices />
      <Modals modal={modal} setModal={setModal} ids={ids} dropped={dropped} clearDropped={() => setDropped([])} />
    </div>
  );
}
