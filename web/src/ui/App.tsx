// The page: log in, follow the node's event stream, and lay out the list, the details and the dialogs.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { clearToken, getToken, setToken } from '../api/auth.js';
import { EventStream, type StreamState } from '../api/events.js';
import { AuthError, call } from '../api/rpc.js';
import { store } from '../store/instance.js';
import { batchApplied, mark } from '../store/perf.js';
import { EMPTY_SELECTION, prune, type Selection } from '../store/selection.js';
import { FacetsCache, RowsCache, type ViewParams } from '../store/view.js';
import { Header, type Panel } from './Header.js';
import { Login } from './Login.js';
import { Notices } from './NoticeList.js';
import { Toolbar, type SelectionAction } from './Toolbar.js';
import { FilterBar } from './FilterBar.js';
import { TransferList } from './TransferList.js';
import { useMedia, useSubscription } from './hooks.js';
import { attempt, notices } from './notices.js';
import { AddDialog } from './AddDialog.js';
import { ChooseFilesDialog } from './ChooseFilesDialog.js';
import { LabelDialog, LimitsDialog, RemoveDialog } from './ActionDialogs.js';
import { Details } from './details/Details.js';
import { SessionDialog } from './SessionDialog.js';
import { ServersDialog } from './ServersDialog.js';
import { CreateDialog } from './CreateDialog.js';
import { rateHistory } from '../store/history.js';

type Phase = 'starting' | 'login' | 'refused' | 'ready';
type Modal = Panel | 'remove' | 'label' | 'limits' | { choose: number; start: boolean } | null;

const INITIAL_VIEW: ViewParams = { sortKey: 'addedAt', descending: true, state: 'all', label: '', search: '' };

export function App(): JSX.Element {
  // With a token the stream opens at once, beside session.get (one round trip less before the list shows);
  // without one (a daemon with Basic auth, or none yet) it waits until session.get says the browser is let in.
  const [phase, setPhase] = useState<Phase>(() => (getToken() ? 'ready' : 'starting'));
  const [stream, setStream] = useState<StreamState>('connecting');
  useEffect(() => {
    notices.onAuthLost(() => setPhase('refused'));
    void start();
    async function start(): Promise<void> {
      try {
        mark('app-start');
        store.setSettings(await call('session.get', {}));
        mark('session');
        setPhase('ready');
      } catch (err) {
        if (err instanceof AuthError) setPhase(getToken() ? 'refused' : 'login');
        else notices.error(err, 'Cannot reach the daemon');
      }
    }
  }, []);
  useEffect(() => {
    if (phase !== 'ready') return;
    const events = new EventStream((batch) => {
      store.applyBatch(batch);
      // The node's warnings (a tracker that fails, a disk error) are shown, not only kept.
      for (const e of batch.events) if (e.type === 'warning') notices.push(`Node: ${e.message}`, 'error');
      batchApplied(batch.events.length, batch.receivedAt, batch.flushedAt, batch.parseMs);
    }, setStream);
    events.start();
    return () => events.stop();
  }, [phase]);

  if (phase === 'login' || phase === 'refused') {
    return (
      <Login
        failed={phase === 'refused'}
        onToken={(token) => {
          setToken(token);
          call('session.get', {})
            .then((s) => {
              store.setSettings(s);
              setPhase('ready');
            })
            .catch(() => {
              clearToken();
              setPhase('refused');
            });
        }}
      />
    );
  }
  return <Main stream={stream} />;
}

function Main({ stream }: { stream: StreamState }): JSX.Element {
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

  const run = (what: string, action: () => Promise<unknown>): void => void attempt(what, action);
  const onAction = (a: SelectionAction): void => {
    switch (a) {
      case 'resume': return run('Resume', () => call('torrent.resume', { ids }));
      case 'pause': return run('Pause', () => call('torrent.pause', { ids }));
      case 'verify': return run('Verify', () => call('torrent.verify', { ids }));
      case 'top': return run('Queue', () => call('torrent.queueMove', { ids, to: 'top' }));
      case 'sequential': {
        const on = !ids.every((id) => store.torrents.get(id)?.sequential);
        return run('Sequential', () => call('torrent.set', { ids, sequential: on }));
      }
      case 'files': return setModal({ choose: ids[0]!, start: false });
      case 'details': return setDetailsOpen(true);
      default: return setModal(a);
    }
  };
  const focused = sel.focus !== null ? store.torrents.get(sel.focus) : undefined;
  const closeModal = (): void => setModal(null);

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
      <Header stream={stream} down={totals.down} up={totals.up} onPanel={setModal} />
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
      {modal === 'add' && <AddDialog initialFiles={dropped} onClose={() => { setDropped([]); closeModal(); }} onChoose={(id, start) => { setDropped([]); setModal({ choose: id, start }); }} />}
      {modal === 'create' && <CreateDialog onClose={closeModal} />}
      {modal === 'session' && <SessionDialog onClose={closeModal} />}
      {modal === 'servers' && <ServersDialog onClose={closeModal} />}
      {modal === 'remove' && <RemoveDialog ids={ids} onClose={closeModal} />}
      {modal === 'label' && <LabelDialog ids={ids} onClose={closeModal} />}
      {modal === 'limits' && <LimitsDialog ids={ids} onClose={closeModal} />}
      {modal !== null && typeof modal === 'object' && <ChooseFilesDialog id={modal.choose} start={modal.start} onClose={closeModal} />}
    </div>
  );
}
