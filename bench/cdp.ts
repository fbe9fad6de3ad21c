// A minimal DevTools-protocol client for the web bench. Playwright turns on the Network domain, which copies
// every WebSocket frame to the driver: with a 7 MB snapshot that adds a quarter of a second to the page's first
// render that no user sees. This talks to Debian's Chromium directly and enables nothing but what it calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(private readonly chrome: ChildProcess, private readonly socket: WebSocket, private readonly profile: string) {
    socket.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
      if (reply.id !== undefined) this.pending.delete(reply.id);
    });
  }

  /** Starts Chromium headless with a window of the given size and attaches to its page. */
  static async launch(executable: string, width: number, height: number): Promise<Cdp> {
    const profile = mkdtempSync(join(tmpdir(), 'tandem-bench-chromium-'));
    const chrome = spawn(executable, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`, '--remote-debugging-port=0', `--window-size=${width},${height}`, 'about:blank'], { stdio: 'ignore' });
    let port = 0;
    for (let i = 0; i < 100 && !port; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        port = Number(readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
      } catch {
        /* not yet */
      }
    }
    if (!port) throw new Error('Chromium did not open its DevTools port');
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Cdp(chrome, socket, profile);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result as T)));
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value: T } }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    return r.result.value;
  }

  /** Polls an expression until it is truthy. */
  async waitFor(expression: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    this.chrome.kill();
    await new Promise((r) => this.chrome.once('exit', r));
    // Chromium's helper processes may still be writing into the profile for a moment after the main one exits.
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
