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

/**
 * The timetable from transmission-remote (`--alt-speed-scheduler`, `--alt-speed-time-begin/end HHMM`,
 * `--alt-speed-days`): shown by `-si` as Transmission shows it, and followed by the daemon, which turns the
 * alternative speeds on when a window is open, and leaves a person's own switch alone until the next edge.
 */
test('transmission-remote: the alternative speeds timetable is set, shown and followed', async (t) => {
  const remoteBin = requireProgram('transmission-remote', 'transmission-cli');
  const dir = await tempDir(t);
  const daemon = await startDaemon(t, join(dir, 'state'));
  const tr = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    run(remoteBin, [daemon.url.replace(/^http:\/\//, '').replace(/\/$/, ''), ...args], { timeoutMs: 20_000 });
  const settings = (): Promise<SessionSettings> => daemon.rpc<SessionSettings>('session.get');
  const until = async (ok: (s: SessionSettings) => boolean): Promise<SessionSettings> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const s = await settings();
      if (ok(s) || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  // A window that is closed now: two hours from now, for an hour (local time, as the daemon reads it).
  const now = new Date();
  const minutes = now.getHours() * 60 + now.getMinutes();
  const hhmm = (m: number): string => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`;
  const later = (minutes + 120) % 1440;
  const set = await tr('--alt-speed-scheduler', '--alt-speed-time-begin', hhmm(later), '--alt-speed-time-end', hhmm((later + 60) % 1440), '--alt-speed-days', '1-7');
  assert.equal(set.code, 0, set.stderr);
  const s = await settings();
  assert.deepEqual([s.altSpeedTimeEnabled, s.altSpeedTimeBeginMinutes, s.altSpeedTimeEndMinutes, s.altSpeedTimeDays], [true, later, (later + 60) % 1440, 127]);
  const shown = await tr('-si');
  assert.match(shown.stdout, new RegExp(`Turtle schedule: ${hhmm(later).slice(0, 2)}:${hhmm(later).slice(2)} - .*Sun Mon Tue Wed Thu Fri Sat`));
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await settings()).altSpeedEnabled, false, 'the window is closed: the switch stays off');

  // Open now: from an hour ago to an hour ahead; the daemon turns the speeds on within a tick.
  assert.equal((await tr('--alt-speed-time-begin', hhmm((minutes + 1380) % 1440), '--alt-speed-time-end', hhmm((minutes + 60) % 1440))).code, 0);
  assert.equal((await until((x) => x.altSpeedEnabled)).altSpeedEnabled, true, 'the open window turned the alternative speeds on');
  // A person's switch stands until the next edge.
  assert.equal((await tr('-AS')).code, 0);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await settings()).altSpeedEnabled, false, 'turned off by hand, and left off inside the window');
  assert.equal((await tr('--no-alt-speed-scheduler')).code, 0);
  assert.equal((await settings()).altSpeedTimeEnabled, false);
});
