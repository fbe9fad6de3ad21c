// Logging in with the token typed in, and the page's recovery when the daemon restarts: it reconnects by itself,
// catches up, and keeps following events, with no reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium, openPage, startDaemon } from './harness.js';
import { writeRandom } from './fixtures.js';
import { freeTcpPort } from '../helpers/ports.js';
import type { SessionSettings } from '../../src/node/index.js';

test('web UI: the token typed at the login form; after a daemon restart the page reconnects and stays live', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'tandem-web-');
  await mkdir(join(dir, 'files'));
  await writeRandom(join(dir, 'files', 'first.bin'), 64 * 1024);
  await writeRandom(join(dir, 'files', 'second.bin'), 64 * 1024);
  const stateDir = join(dir, 'state');
  let daemon = await startDaemon(t, stateDir);
  const browser = await launchChromium(t);
  const w = await openPage(t, browser, daemon, { width: 1280, height: 800, colorScheme: 'light' });
  const { page } = w;

  // Without the token in the address the page asks for it; a wrong one is refused.
  await page.goto(`${daemon.origin}/`);
  await page.getByLabel('Access token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That token was refused.').waitFor();
  // The failed login's 401 is Chromium's console error for a failed resource, which the page cannot prevent.
  w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 401/.test(p)));
  await page.getByLabel('Access token').fill(daemon.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Live', { exact: true }).waitFor();
  await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

  await daemon.rpc('torrent.create', { path: join(dir, 'files', 'first.bin'), seed: true });
  await page.locator('[role=grid] [role=row]', { hasText: 'first.bin' }).waitFor();
  await daemon.rpc('torrent.create', { path: join(dir, 'files', 'second.bin'), seed: true });
  await page.locator('[role=grid] [role=row]', { hasText: 'second.bin' }).waitFor();

  // The list by keyboard: Home selects the first row, shift+ArrowDown extends, Delete asks before removing.
  await page.locator('[role=grid]').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowDown');
  await page.getByText('2 selected', { exact: true }).waitFor();
  assert.equal(await page.locator('[role=grid] [role=row][aria-selected=true]').count(), 2);
  await page.keyboard.press('Delete');
  await page.getByRole('heading', { name: 'Remove 2 torrents?' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await page.keyboard.press('Control+a');
  // Sorting by keyboard: a column header's button, Enter.
  const nameHeader = page.getByRole('columnheader', { name: /^Name/ });
  await nameHeader.getByRole('button').focus();
  await page.keyboard.press('Enter');
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await page.locator('[role=grid] [role=row][aria-rowindex]:not([aria-rowindex="1"]) [role=gridcell]:first-child').allTextContents(), ['first.bin', 'second.bin']);
  await page.keyboard.press('Enter');
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'descending');

  // A server started and stopped from the page: the node's tracker on a loopback port.
  const trackerPort = await freeTcpPort();
  await page.getByRole('button', { name: 'Servers', exact: true }).click();
  const servers = page.locator('dialog[open]');
  await servers.getByLabel('Address for the Tracker (HTTP)').fill(`127.0.0.1:${trackerPort}`);
  const trackerRow = servers.locator('tr', { hasText: 'Tracker (HTTP)' });
  await trackerRow.getByRole('button', { name: 'Start' }).click();
  await trackerRow.filter({ hasText: 'running' }).filter({ hasText: `127.0.0.1:${trackerPort}` }).waitFor();
  assert.equal((await fetch(`http://127.0.0.1:${trackerPort}/announce`)).status < 500, true, 'the tracker answers');
  await trackerRow.getByRole('button', { name: 'Stop' }).click();
  await trackerRow.filter({ hasText: 'stopped' }).waitFor();
  await page.keyboard.press('Escape');

  // Settings saved from the page reach the daemon.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = page.locator('dialog[open]');
  await settings.getByLabel('Download limit (KiB/s, 0 = none)').fill('512');
  await settings.getByLabel('Seeds at once').fill('7');
  // The alternative speeds' timetable: on, 01:30 to 02:45, every day but Sunday.
  await settings.getByLabel('Use the alternative speeds on a timetable').check();
  await settings.getByLabel('From', { exact: true }).fill('01:30');
  await settings.getByLabel('To', { exact: true }).fill('02:45');
  await settings.getByLabel('Sun', { exact: true }).uncheck();
  await settings.getByRole('button', { name: 'Save', exact: true }).click();
  await settings.waitFor({ state: 'detached' });
  const saved = await daemon.rpc<SessionSettings>('session.get');
  assert.deepEqual([saved.downloadLimitBytesPerSec, saved.maxActiveSeeds], [512 * 1024, 7]);
  assert.deepEqual([saved.altSpeedTimeEnabled, saved.altSpeedTimeBeginMinutes, saved.altSpeedTimeEndMinutes, saved.altSpeedTimeDays], [true, 90, 165, 126]);

  // The daemon restarts while the page is cut off. The new run numbers its events from 0 again: it removes one
  // torrent, then sends more events than the old run had, so a replay "since" the page's last number would skip
  // the removal. The page must see the restart and take a snapshot.
  w.expectDaemonDown = true;
  await w.context.setOffline(true);
  await daemon.stop();
  await page.getByText('Reconnecting…', { exact: true }).waitFor();
  daemon = await startDaemon(t, stateDir, { rpcPort: daemon.rpcPort });
  const second = (await daemon.rpc<{ id: number; name: string }[]>('torrent.list')).find((x) => x.name === 'second.bin')!;
  await daemon.rpc('torrent.remove', { ids: [second.id] });
  for (let i = 0; i < 150; i++) await daemon.rpc('torrent.set', { ids: 'all', labels: [`run2-${i}`] });
  await w.context.setOffline(false);
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
  await page.locator('[role=grid] [role=row]', { hasText: 'first.bin' }).filter({ hasText: 'run2-149' }).waitFor();
  assert.equal(await page.locator('[role=grid] [role=row]', { hasText: 'second.bin' }).count(), 0, 'the removal in the new run is seen');
  w.expectDaemonDown = false;

  // The torrent kept across the restart is still listed; changes after it arrive live.
  await page.locator('[role=grid] [role=row]', { hasText: 'first.bin' }).waitFor();
  await daemon.rpc('torrent.set', { ids: 'all', labels: ['after-restart'] });
  await page.locator('[role=grid] [role=row]', { hasText: 'first.bin' }).filter({ hasText: 'after-restart' }).waitFor();
  await writeRandom(join(dir, 'files', 'third.bin'), 64 * 1024);
  await daemon.rpc('torrent.create', { path: join(dir, 'files', 'third.bin'), seed: true });
  await page.locator('[role=grid] [role=row]', { hasText: 'third.bin' }).waitFor();
  assert.equal(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded), true, 'no reload');
  assert.deepEqual(w.problems, []);
});
