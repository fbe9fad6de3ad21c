import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import { run } from '../helpers/processes.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import type { SessionSettings } from '../../src/node/index.js';

/**
 * Alternative speeds from Debian's transmission-remote (transmission-cli 3.00): `-as`/`-AS` turn them on and off,
 * `-asd`/`-asu` set them in kB/s, `-si` shows them; the daemon keeps them across a restart.
 */
test('transmission-remote: alternative speeds on and off, set, shown, and kept across a restart', async (t) => {
  const remoteBin = requireProgram('transmission-remote', 'transmission-cli');
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  const first = await startDaemon(t, state);
  const tr = (d: { url: string }, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    run(remoteBin, [d.url.replace(/^http:\/\//, '').replace(/\/$/, ''), ...args], { timeoutMs: 20_000 });

  const off = await tr(first, '-si');
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /Download speed limit: Unlimited \(Disabled limit: 0 kB\/s; Disabled turtle limit: 50 kB\/s\)/);
  const set = await tr(first, '-asd', '200', '-asu', '100', '-as');
  assert.equal(set.code, 0, set.stderr);
  const s = await first.rpc<SessionSettings>('session.get');
  assert.deepEqual([s.altSpeedEnabled, s.altSpeedDownBytesPerSec, s.altSpeedUpBytesPerSec], [true, 200_000, 100_000]);
  const on = await tr(first, '-si');
  // transmission-remote works out the limit in force itself: the turtle one while it is on.
  assert.match(on.stdout, /Download speed limit: 200 kB\/s \(Disabled limit: 0 kB\/s; Enabled turtle limit: 200 kB\/s\)/);
  assert.match(on.stdout, /Upload speed limit: 100 kB\/s \(Disabled limit: 0 kB\/s; Enabled turtle limit: 100 kB\/s\)/);
  assert.equal(await first.stop(), 0);

  const second = await startDaemon(t, state);
  const kept = await second.rpc<SessionSettings>('session.get');
  assert.deepEqual([kept.altSpeedEnabled, kept.altSpeedDownBytesPerSec], [true, 200_000], 'kept in the state database');
  assert.equal((await tr(second, '-AS')).code, 0);
  assert.equal((await second.rpc<SessionSettings>('session.get')).altSpeedEnabled, false);
  assert.match((await tr(second, '-si')).stdout, /Download speed limit: Unlimited \(Disabled limit: 0 kB\/s; Disabled turtle limit: 200 kB\/s\)/);
});
