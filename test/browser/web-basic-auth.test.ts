// A daemon with --rpc-auth: the browser sends Basic credentials on every request, the WebSocket included; the
// page sends no token of its own (its header would replace the browser's credentials) and works the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium, startDaemon } from './harness.js';
import { writeRandom } from './fixtures.js';

test('web UI: with --rpc-auth the page works on the browser\'s Basic credentials; without them it gets nothing', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'tandem-web-');
  await mkdir(join(dir, 'files'));
  await writeRandom(join(dir, 'files', 'basic.bin'), 64 * 1024);
  const daemon = await startDaemon(t, join(dir, 'state'), { args: ['--rpc-auth', 'admin:s3cret'] });
  assert.doesNotMatch(daemon.url, /token=/, 'no token in the address with Basic auth');
  const browser = await launchChromium(t);

  // Without credentials even the page is refused, with the challenge that makes a browser ask.
  const refused = await fetch(daemon.origin + '/');
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic /);

  const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 's3cret' } });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const bearer: string[] = [];
  page.on('request', (r) => { if (/^bearer /i.test(r.headers().authorization ?? '')) bearer.push(r.url()); });
  await page.goto(daemon.url);
  await page.getByText('Live', { exact: true }).waitFor();
  const basic = Buffer.from('admin:s3cret').toString('base64');
  const res = await fetch(`${daemon.origin}/api/rpc`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'torrent.create', params: { path: join(dir, 'files', 'basic.bin'), seed: true } }),
  });
  assert.equal(res.status, 200);
  await page.locator('[role=grid] [role=row]', { hasText: 'basic.bin' }).filter({ hasText: 'Seeding' }).waitFor();
  assert.deepEqual(bearer, [], 'the page sent no token of its own');
  assert.deepEqual(problems, []);
});
