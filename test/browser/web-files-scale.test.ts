// A torrent of 20,000 files in the details panel: the file tree stays virtualised (a few dozen rows in the page),
// folders open, and "None" unwants all 20,000 in the daemon in one action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { encode } from '../../src/bencode/index.js';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium, openPage, screenshot, startDaemon } from './harness.js';

const FILES = 20_000;

/** Metainfo of 20,000 one-byte files in 100 folders (the data is never needed: the torrent stays paused). */
function manyFiles(): string {
  const files = Array.from({ length: FILES }, (_, i) => ({ length: 1, path: [`dir${String(i % 100).padStart(3, '0')}`, `file${String(i).padStart(5, '0')}.${i % 2 ? 'txt' : 'bin'}`] }));
  const pieces = Math.ceil(FILES / 16384);
  return encode({ info: { files, name: 'many', 'piece length': 16384, pieces: randomBytes(20 * pieces) } }).toString('base64');
}

test('web UI: 20,000 files in the file tree, virtualised; None unwants them all in the daemon', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'tandem-web-');
  const daemon = await startDaemon(t, join(dir, 'state'));
  const added = await daemon.rpc<{ torrent: { id: number } }>('torrent.add', { metainfo: manyFiles(), paused: true, savePath: join(dir, 'dl') });
  const browser = await launchChromium(t);
  const w = await openPage(t, browser, daemon, { width: 1280, height: 800, colorScheme: 'light' });
  const { page } = w;
  await page.goto(daemon.url);
  await page.locator('[role=grid] [role=row]', { hasText: 'many' }).click();
  await page.getByRole('tab', { name: /^Files/ }).click();
  const tree = page.getByRole('treegrid', { name: 'Files' });
  await tree.getByText(`${FILES} of ${FILES} files wanted`).or(page.getByText(`${FILES} of ${FILES} files wanted`)).waitFor({ timeout: 30_000 });
  // Collapsed: the top folder; opened, its 100 folders; opened one of those, its 200 files. Few rows in the page.
  await page.getByRole('button', { name: 'Expand many' }).click();
  // Virtualised: dir042 is in the page only once the tree is scrolled to it (rows are 30 px high).
  await tree.evaluate((el) => { (el as unknown as { scrollTop: number }).scrollTop = 40 * 30; });
  await page.getByRole('button', { name: 'Expand dir042' }).click();
  await tree.getByText('file00042.bin').waitFor();
  const inDom = await tree.locator('[role=row]').count();
  assert.ok(inDom > 10 && inDom < 100, `${inDom} rows in the DOM for ${FILES} files`);
  assert.equal(await tree.getAttribute('aria-rowcount'), String(1 + 100 + 200));
  await screenshot(page, 'desktop-light-20000-files');

  await page.getByRole('tabpanel').getByRole('button', { name: 'None', exact: true }).click();
  await page.getByText(`0 of ${FILES} files wanted`).waitFor();
  for (let i = 0; ; i++) {
    const d = await daemon.rpc<{ files: { wanted: boolean }[] }>('torrent.get', { id: added.torrent.id });
    if (d.files.every((f) => !f.wanted)) break;
    assert.ok(i < 100, 'the daemon has every file unwanted');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(w.problems, []);
});
