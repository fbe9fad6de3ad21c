// Clients for the node bench: Transmission's RPC (spoken to both daemons the same way) and tandem's event stream.
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { encode } from '../src/bencode/index.js';

/** A small single-file v1 torrent, made without any data on disk (the torrents stay paused). */
export function syntheticTorrent(i: number): Buffer {
  const info = { length: 16_385 + (i % 1000), name: `bench-${i}.bin`, 'piece length': 16_384, pieces: randomBytes(40) };
  return encode({ announce: 'http://127.0.0.1:1/announce', info });
}

export function infoHashOf(torrent: Buffer): string {
  const start = torrent.indexOf('4:infod') + 6;
  return createHash('sha1').update(torrent.subarray(start, torrent.length - 1)).digest('hex');
}

/** Transmission RPC over HTTP with the 409 session-id exchange, as transmission-remote does it. */
export class TransmissionRpc {
  private sessionId = '';
  lastReplyBytes = 0;

  constructor(private readonly url: string) {}

  async call<T = Record<string, unknown>>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(this.url, { method: 'POST', headers: { 'x-transmission-session-id': this.sessionId, 'content-type': 'application/json' }, body: JSON.stringify({ method, arguments: args, tag: 1 }) });
      if (res.status === 409) {
        this.sessionId = res.headers.get('x-transmission-session-id') ?? '';
        await res.arrayBuffer();
        continue;
      }
      const text = await res.text();
      this.lastReplyBytes = Buffer.byteLength(text);
      const body = JSON.parse(text) as { result: string; arguments: T };
      if (body.result !== 'success') throw new Error(`${method}: ${body.result}`);
      return body.arguments;
    }
    throw new Error(`${method}: no session id`);
  }

  /** True once the RPC answers at all (start-up probe). */
  async answers(): Promise<boolean> {
    try {
      await this.call('session-get', { fields: ['version'] });
      return true;
    } catch {
      return false;
    }
  }
}

/** The 14 fields `transmission-remote -l` asks for. */
export const LIST_FIELDS = ['error', 'errorString', 'eta', 'id', 'isFinished', 'leftUntilDone', 'name', 'peersGettingFromUs', 'peersSendingToUs', 'rateDownload', 'rateUpload', 'sizeWhenDone', 'status', 'uploadRatio'];

/** Opens tandem's event stream and resolves each wait when an event of that type arrives. */
export async function eventStream(url: string, token: string): Promise<{ waitFor: (type: string) => Promise<number>; close: () => void }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}api/events?token=${token}`);
  const waiters: { type: string; resolve: (at: number) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const at = performance.now();
    const type = (JSON.parse(data.toString()) as { type: string }).type;
    const matched = waiters.filter((w) => w.type === type);
    for (const w of matched) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(at);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { waitFor: (type) => new Promise((resolve) => waiters.push({ type, resolve })), close: () => ws.close() };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
