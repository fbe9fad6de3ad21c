// The web UI end to end, in Debian's Chromium against a real daemon and a real seed on loopback: add a .torrent
// through the page and watch it reach 100% without a reload; pause, resume; create a torrent and download its
// .torrent; remove with data; screenshots and axe-core on the main views. No console error, no foreign request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium, openPage, screenshot, startDaemon } from './harness.js';
import { sha256, share, startTracker, writeRandom } from './fixtures.js';
import { checkViews } from './views.js';

test('web UI: add a .torrent, live to 100%, pause, resume, create, remove with data; views pass axe', { timeout: 240_000 }, async (t) => {
  const dir = await tempDir(t, 'tandem-web-');
  await mkdir(join(dir, 'seed'));
  await mkdir(join(dir, 'made'));
  const payload = join(dir, 'seed', 'payload.bin');
  await writeRandom(payload, 6 * 1024 * 1024);
  const announce = await startTracker(t);
  // A capped seed, so the download lasts a few seconds and the page shows it under way.
  await share(t, payload, ['-t', announce, '--torrent-out', join(dir, 'payload.torrent'), '--upload-limit', '1MiB']);
  const daemon = await startDaemon(t, join(dir, 'state'));
  const browser = await launchChromium(t);
  const w = await openPage(t, browser, daemon, { width: 1280, height: 800, colorScheme: 'light' });
  const { page } = w;

  await page.goto(daemon.url);
  await page.getByText('Live', { exact: true }).waitFor();
  assert.equal(page.url(), `${daemon.origin}/`, 'the token leaves the address bar');
  await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

  // Add the .torrent with a download folder and a label.
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const add = page.locator('dialog[open]');
  await add.locator('input[type=file]').setInputFiles(join(dir, 'payload.torrent'));
  await add.getByLabel('Download folder on the node').fill(join(dir, 'dl'));
  await add.getByLabel('Labels, separated by commas').fill('webtest');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await add.waitFor({ state: 'detached' });
  const row = page.locator('[role=grid] [role=row]', { hasText: 'payload.bin' });
  // Under way: a partial percentage, the peer in the details, the piece bar and speed graph drawn.
  await row.filter({ hasText: /Downloading/ }).filter({ hasText: /[1-9]\d?\.\d%/ }).waitFor({ timeout: 60_000 });
  await row.click();
  await page.getByRole('tab', { name: /^Peers/ }).click();
  await page.getByRole('tabpanel').getByRole('cell', { name: /^127\.0\.0\.1:\d+$/ }).waitFor();
  // The tracker's last and next announce.
  await page.getByRole('tab', { name: 'Trackers' }).click();
  await page.getByRole('tabpanel').getByRole('cell', { name: /^in \d+m \d+s$/ }).waitFor();
  await page.getByRole('tab', { name: 'Overview' }).click();
  // The piece bar has pieces under way or available from the seed, not only had and missing.
  await page.getByRole('img', { name: /pieces verified, ([1-9]\d* downloading|\d+ downloading, [1-9]\d* available from peers)/ }).waitFor();
  await page.waitForTimeout(1500);
  await screenshot(page, 'desktop-light-downloading');
  await row.filter({ hasText: '100%' }).waitFor({ timeout: 90_000 });
  assert.match((await row.textContent()) ?? '', /webtest/);
  const id = (await daemon.rpc<{ id: number }[]>('torrent.list'))[0]!.id;
  assert.equal(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded), true, 'no reload');
  assert.equal(await sha256(join(dir, 'dl', 'payload.bin')), await sha256(payload));

  // Pause and resume from the toolbar; the row follows the daemon's events.
  await row.click();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await row.filter({ hasText: 'Paused' }).waitFor();
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await row.filter({ hasText: 'Seeding' }).waitFor({ timeout: 30_000 });

  // Labels, limits and sequential from the toolbar, checked in the daemon's own answer.
  await page.getByRole('button', { name: 'Label…', exact: true }).click();
  await page.locator('dialog[open]').getByRole('textbox').fill('webtest, second');
  await page.locator('dialog[open]').getByRole('button', { name: 'Set', exact: true }).click();
  await row.filter({ hasText: 'webtest, second' }).waitFor();
  await page.getByRole('button', { name: 'Limits…', exact: true }).click();
  await page.locator('dialog[open]').getByLabel('Upload limit (KiB/s)').fill('100');
  await page.locator('dialog[open]').getByRole('button', { name: 'Set', exact: true }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Sequential', exact: true }).click();
  for (let i = 0; i < 50; i++) {
    const s = await daemon.rpc<{ sequential: boolean; uploadLimitBytesPerSec: number; labels: string[] }>('torrent.get', { id });
    if (s.sequential) {
      assert.deepEqual([s.uploadLimitBytesPerSec, s.labels], [100 * 1024, ['webtest', 'second']]);
      break;
    }
    assert.ok(i < 49, 'sequential was set');
    await new Promise((r) => setTimeout(r, 100));
  }

  // Alternative speeds from the header's switch, confirmed by the daemon.
  const alt = page.getByRole('button', { name: 'Alt speeds' });
  await alt.click();
  await page.locator('.alt-toggle[aria-pressed=true]').waitFor();
  assert.equal((await daemon.rpc<{ altSpeedEnabled: boolean }>('session.get')).altSpeedEnabled, true);
  await alt.click();
  await page.locator('.alt-toggle[aria-pressed=false]').waitFor();
  assert.equal((await daemon.rpc<{ altSpeedEnabled: boolean }>('session.get')).altSpeedEnabled, false);

  // Create a torrent from a path on the node (large enough to take a moment to hash), seed it, and download its
  // .torrent. The dialog's status line is recorded as it changes: it shows a percentage while hashing.
  await writeRandom(join(dir, 'made', 'created.bin'), 160 * 1024 * 1024);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const create = page.locator('dialog[open]');
  await create.getByLabel('File or folder on the node').fill(join(dir, 'made', 'created.bin'));
  // A web seed in the .torrent (never asked: the node has every piece), listed with its bytes in the details.
  await create.getByLabel('Web seeds, one URL per line').fill('http://127.0.0.1:9/created.bin');
  await page.evaluate(() => {
    const seen: string[] = [];
    (globalThis as unknown as { hashingSeen: string[] }).hashingSeen = seen;
    const doc = (globalThis as unknown as { document: { body: object; querySelector(s: string): { textContent: string } | null } }).document;
    const Observer = (globalThis as unknown as { MutationObserver: new (fn: () => void) => { observe(n: object, o: object): void } }).MutationObserver;
    new Observer(() => {
      const text = doc.querySelector('dialog[open] .create-progress [role=status]')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(doc.body, { subtree: true, childList: true, characterData: true });
  });
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  // A picture of the bar under way, when the hashing lasts long enough to take one (the assertion is below).
  await create.getByRole('status').filter({ hasText: /^Hashing: \d/ }).waitFor({ timeout: 5_000 }).then(() => screenshot(page, 'desktop-light-create-hashing'), () => undefined);
  const link = create.getByRole('link', { name: 'Download created.bin.torrent' });
  await link.waitFor({ timeout: 60_000 });
  const hashing = await page.evaluate(() => (globalThis as unknown as { hashingSeen: string[] }).hashingSeen);
  assert.ok(hashing.some((text) => /^Hashing: \d+\.\d% · [\d.]+ [KM]?i?B of 160 MiB$/.test(text)), `a percentage while hashing: ${JSON.stringify(hashing)}`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const torrentBytes = await readFile((await download.path())!);
  assert.match(torrentBytes.subarray(0, 200).toString('latin1'), /^d.*4:info/);
  assert.ok(torrentBytes.includes(Buffer.from('11:created.bin')), 'the .torrent names the file');
  await create.getByRole('button', { name: 'Done', exact: true }).click();
  await page.locator('[role=grid] [role=row]', { hasText: 'created.bin' }).filter({ hasText: 'Seeding' }).waitFor({ timeout: 30_000 });

  // Queue: the newer torrent moved to the top from the toolbar.
  await page.locator('[role=grid] [role=row]', { hasText: 'created.bin' }).click();
  await page.getByRole('tab', { name: 'Trackers' }).click();
  const seedRow = page.getByRole('tabpanel').getByRole('row', { name: /http:\/\/127\.0\.0\.1:9\/created\.bin/ });
  await seedRow.getByRole('cell', { name: '0 B', exact: true }).waitFor();
  await page.getByRole('tab', { name: 'Overview' }).click();
  await page.getByRole('button', { name: 'Queue top', exact: true }).click();
  for (let i = 0; ; i++) {
    const list = await daemon.rpc<{ name: string; queuePosition: number }[]>('torrent.list');
    if (list.find((x) => x.name === 'created.bin')?.queuePosition === 0) break;
    assert.ok(i < 50, 'created.bin is first in the queue');
    await new Promise((r) => setTimeout(r, 100));
  }

  const views = await checkViews(t, browser, daemon, 'payload.bin');
  assert.deepEqual(views, [], views.join('\n'));

  // Remove with data, after a confirmation.
  await row.click();
  await page.getByRole('button', { name: 'Remove…', exact: true }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Remove and delete data' }).click();
  await row.waitFor({ state: 'detached' });
  for (let i = 0; i < 50 && existsSync(join(dir, 'dl', 'payload.bin')); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(existsSync(join(dir, 'dl', 'payload.bin')), false, 'the data is deleted');
  assert.deepEqual(w.problems, []);
});
