// A magnet added through the page with "choose files": the page waits for the metadata, shows the files, and
// only the two chosen are downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium, openPage, startDaemon } from './harness.js';
import { album, share } from './fixtures.js';

test('web UI: a magnet waits for its metadata, two of four files are chosen, only those are downloaded', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'tandem-web-');
  const files = await album(dir);
  const magnet = await share(t, join(dir, 'album'), ['--piece-length', '16384']);
  const daemon = await startDaemon(t, join(dir, 'state'));
  const browser = await launchChromium(t);
  const w = await openPage(t, browser, daemon, { width: 1280, height: 800, colorScheme: 'dark' });
  const { page } = w;
  await page.goto(daemon.url);
  await page.getByText('Live', { exact: true }).waitFor();

  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const add = page.locator('dialog[open]');
  await add.getByLabel('Magnet links, URLs or paths on the node, one per line').fill(magnet);
  await add.getByLabel('Download folder on the node').fill(join(dir, 'dl'));
  await add.getByLabel('Choose files before it starts').check();
  await add.getByRole('button', { name: 'Add', exact: true }).click();

  const chooser = page.locator('dialog[open]', { hasText: 'Files of' });
  await chooser.getByLabel('Want album/one.flac').waitFor({ timeout: 60_000 });
  // Nothing has been downloaded while the files are being chosen.
  const before = await daemon.rpc<{ status: string; verifiedBytes: number }[]>('torrent.list');
  assert.deepEqual(before.map((x) => [x.status, x.verifiedBytes]), [['stopped', 0]]);
  await chooser.getByRole('button', { name: 'None', exact: true }).click();
  await chooser.getByText('0 of 4 files wanted').waitFor();
  await chooser.getByLabel('Want album/one.flac').check();
  await chooser.getByLabel('Want album/cover.jpg').check();
  await chooser.getByText('2 of 4 files wanted').waitFor();
  await chooser.getByRole('button', { name: 'Start', exact: true }).click();
  await chooser.waitFor({ state: 'detached' });

  const row = page.locator('[role=grid] [role=row]', { hasText: 'album' });
  await row.filter({ hasText: '100%' }).waitFor({ timeout: 90_000 });
  assert.deepEqual(await readFile(join(dir, 'dl', 'album', 'one.flac')), files['one.flac']);
  assert.deepEqual(await readFile(join(dir, 'dl', 'album', 'cover.jpg')), files['cover.jpg']);
  for (const skipped of ['two.flac', 'notes.txt']) {
    const path = join(dir, 'dl', 'album', skipped);
    assert.ok(!existsSync(path) || !(await readFile(path)).equals(files[skipped]!), `${skipped} was not downloaded`);
  }
  const detail = await daemon.rpc<{ files: { path: string; wanted: boolean; verifiedBytes: number }[] }>('torrent.get', { id: 1 });
  const wanted = Object.fromEntries(detail.files.map((f) => [f.path, [f.wanted, f.verifiedBytes > 0]]));
  assert.deepEqual(wanted, {
    'album/cover.jpg': [true, true], 'album/notes.txt': [false, false], 'album/one.flac': [true, true], 'album/two.flac': [false, false],
  });
  assert.deepEqual(w.problems, []);
});
