// A real browser (Debian's Chromium driven by playwright-core) opens a listing, follows a link, downloads a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireProgram } from '../helpers/programs.js';
import { startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const NPM_CACHE = fileURLToPath(new URL('../../../.cache/test-npm/package.json', import.meta.url));

interface Download {
  path(): Promise<string | null>;
  suggestedFilename(): string;
}
interface Page {
  goto(url: string): Promise<unknown>;
  click(selector: string): Promise<void>;
  textContent(selector: string): Promise<string | null>;
  title(): Promise<string>;
  url(): string;
  waitForEvent(event: 'download'): Promise<Download>;
  waitForURL(url: string): Promise<void>;
  $$eval<T>(selector: string, fn: (els: { textContent: string | null }[]) => T): Promise<T>;
}
interface Browser {
  newContext(o: { acceptDownloads: boolean; javaScriptEnabled: boolean }): Promise<{ newPage(): Promise<Page> }>;
  close(): Promise<void>;
}

test('Chromium: listing without JavaScript, follow a folder link, sort by size, download a file', async (t) => {
  const chromium = requireProgram('chromium', 'chromium');
  if (!existsSync(NPM_CACHE)) throw new Error('playwright-core is missing: run scripts/install-test-deps.sh');
  const pw = createRequire(NPM_CACHE)('playwright-core') as { chromium: { launch(o: object): Promise<Browser> } };
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(join(root, 'docs'), { recursive: true });
  await writeFile(join(root, 'docs', 'report.bin'), Buffer.from('binary report contents'));
  await writeFile(join(root, 'docs', 'small.txt'), 'x');
  await writeFile(join(root, 'readme.txt'), 'read me');
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0']);
  const url = (await waitForLine(server, /at (http:\S+)/))[1]!;
  const browser = await pw.chromium.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await (await browser.newContext({ acceptDownloads: true, javaScriptEnabled: false })).newPage();
  await page.goto(url);
  assert.equal(await page.title(), 'Index of /');
  await page.click('a[href="/docs/"]');
  await page.waitForURL(url + 'docs/');
  assert.equal(await page.textContent('h1'), 'Index of /docs/');
  await page.click('th a[href^="?sort=size"]');
  const names = await page.$$eval('tbody td:first-child a', (els) => els.map((e) => e.textContent ?? ''));
  assert.deepEqual(names, ['../', 'small.txt', 'report.bin']);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/docs/report.bin"]')]);
  assert.equal(download.suggestedFilename(), 'report.bin');
  assert.equal(await readFile((await download.path())!, 'utf8'), 'binary report contents');
});
