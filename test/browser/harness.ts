// What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded browser), a real
// `tandem daemon` on loopback, and a page watcher that records console errors and any request that leaves the
// daemon's origin, so a test can assert there were none.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { freeTcpPort } from '../helpers/ports.js';

type TestContext = { after: (fn: () => Promise<void> | void) => void };

export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests write their screenshots (README, "Web UI"); kept out of git. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test/browser/screenshots/', import.meta.url));

/** Fails loudly when Chromium is missing: a browser test never passes by skipping. */
export async function launchChromium(t: TestContext): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium with scripts/install-test-deps.sh`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-features=Translate,MediaRouter,OptimizationHints'],
  });
  t.after(() => browser.close());
  return browser;
}

export interface Daemon {
  child: ChildProcess;
  origin: string;
  token: string;
  /** The address the daemon printed, with the token in its fragment. */
  url: string;
  stateDir: string;
  rpcPort: number;
  rpc<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `tandem daemon` with its own state dir on a loopback RPC port (the same port again for a restart). */
export async function startDaemon(t: TestContext, stateDir: string, options: { rpcPort?: number; args?: string[] } = {}): Promise<Daemon> {
  const rpcPort = options.rpcPort ?? (await freeTcpPort());
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'daemon', '--state-dir', stateDir, '--rpc', `127.0.0.1:${rpcPort}`, '--port', '0', '--listen', '127.0.0.1', '--no-dht', ...(options.args ?? [])], { env: { ...process.env, TANDEM_NO_PUBLIC_DHT: '1' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = (await waitForLine(child, /web UI: (http:\S+)/, 20_000).catch((err: Error) => { throw new Error(`${err.message}\nstderr: ${stderr}`); }))[1]!;
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? readFileSync(join(stateDir, 'rpc-token'), 'utf8').trim();
  const origin = parsed.origin;
  let nextId = 1;
  return {
    child, origin, token, url, stateDir, rpcPort,
    async rpc<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(`${origin}/api/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      });
      const reply = (await res.json()) as { result?: T; error?: { message: string } };
      if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
      return reply.result as T;
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and requests to anywhere but the daemon's origin, in order. */
  problems: string[];
  /** While set, Chromium's own lines about a refused connection to the daemon are expected (a restart). */
  expectDaemonDown: boolean;
}

/** Chromium's console lines when the daemon is down (or the page offline): the failed WebSocket and fetches. */
const DAEMON_DOWN = /WebSocket connection to '.*' failed|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INTERNET_DISCONNECTED/;

export async function openPage(t: TestContext, browser: Browser, daemon: Pick<Daemon, 'origin'>, options: { width: number; height: number; colorScheme: 'light' | 'dark' }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: options.width, height: options.height }, colorScheme: options.colorScheme, acceptDownloads: true });
  t.after(() => context.close());
  const page = await context.newPage();
  const watched: WatchedPage = { page, context, problems: [], expectDaemonDown: false };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (watched.expectDaemonDown && DAEMON_DOWN.test(m.text())) return;
    watched.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => watched.problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    const own = url.startsWith(`${daemon.origin}/`) || url.startsWith(`ws://${daemon.origin.slice('http://'.length)}/`) || url.startsWith(`blob:${daemon.origin}/`) || url.startsWith('data:');
    if (!own) watched.problems.push(`request to another origin: ${url}`);
  });
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(`ws://${daemon.origin.slice('http://'.length)}/`)) watched.problems.push(`websocket to another origin: ${ws.url()}`);
  });
  return watched;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }

/** Runs axe-core in the page and returns serious and critical violations. Its source comes from the package and
 * is evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline script) leaves
 * alone, so the page is checked under its real policy. */
export async function axeViolations(page: Page): Promise<string[]> {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
}
