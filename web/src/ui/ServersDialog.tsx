// The servers the node runs (HTTP, TFTP, tracker): address, requests, bytes; start and stop. Live from events.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { call } from '../api/rpc.js';
import { attempt } from './notices.js';
import { store } from '../store/instance.js';
import { useSubscription } from './hooks.js';
import type { ServerInfo, ServerKind } from '../../../src/node/types.js';
import * as fmt from '../lib/format.js';

const KINDS: { kind: ServerKind; title: string; example: string }[] = [
  { kind: 'http', title: 'HTTP file server', example: '127.0.0.1:8080' },
  { kind: 'tftp', title: 'TFTP server', example: '127.0.0.1:6969' },
  { kind: 'ftp', title: 'FTP server (anonymous, read-only)', example: '127.0.0.1:2121' },
  { kind: 'tracker-http', title: 'Tracker (HTTP)', example: '127.0.0.1:6970' },
  { kind: 'tracker-udp', title: 'Tracker (UDP)', example: '127.0.0.1:6971' },
];

interface RowProps {
  kind: ServerKind;
  title: string;
  example: string;
  info: ServerInfo | undefined;
  onLog: (kind: ServerKind) => void;
}

function ServerRow({ kind, title, example, info, onLog }: RowProps): JSX.Element {
  const [address, setAddress] = useState(info?.address ?? '');
  const running = !!info?.running;
  return (
    <tr>
      <th scope="row">{title}</th>
      <td>
        {running ? info!.address : (
          <input type="text" aria-label={`Address for the ${title}`} placeholder={example} value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
        )}
      </td>
      <td>{running ? 'running' : 'stopped'}</td>
      <td class="num" data-label="Requests">{info ? info.requests : ''}</td>
      <td class="num" data-label="Sent">{info ? fmt.bytes(info.bytesSent) : ''}</td>
      <td>
        {running
          ? <button type="button" onClick={() => void attempt(`Stop ${title}`, () => call('server.stop', { kind }))}>Stop</button>
          : <button type="button" onClick={() => void attempt(`Start ${title}`, () => call('server.start', { kind, address: address || example }))}>Start</button>}
        {' '}
        <button type="button" aria-label={`Access log of the ${title}`} onClick={() => onLog(kind)}>Log</button>
      </td>
    </tr>
  );
}

export function ServersDialog({ onClose }: { onClose: () => void }): JSX.Element {
  useSubscription(store.subscribe);
  const [listed, setListed] = useState<ServerInfo[] | null>(null);
  const [log, setLog] = useState<{ kind: ServerKind; lines: string[] } | null>(null);
  const showLog = (kind: ServerKind): void => {
    void attempt('Access log', () => call('server.log', { kind })).then((lines) => lines && setLog({ kind, lines }));
  };
  useEffect(() => {
    void attempt('Servers', () => call('server.list', {})).then((s) => s && setListed(s));
  }, []);
  // The event stream's view is newer than the list fetched at opening, once it has one.
  const servers = store.servers.length ? store.servers : listed ?? [];
  return (
    <Dialog wide title="Servers" onClose={onClose}>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Servers">
        <table class="data servers">
          <thead><tr><th scope="col">Server</th><th scope="col">Address</th><th scope="col">State</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Sent</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
          <tbody>
            {KINDS.map((k) => <ServerRow key={k.kind} {...k} onLog={showLog} info={servers.find((s) => s.kind === k.kind)} />)}
          </tbody>
        </table>
      </div>
      {log && (
        <section aria-label={`Access log of ${log.kind}`}>
          <h3>Last access-log lines: {log.kind}</h3>
          {log.lines.length ? <pre class="log">{log.lines.slice(-50).join('\n')}</pre> : <p class="waiting">Nothing logged yet.</p>}
        </section>
      )}
    </Dialog>
  );
}
