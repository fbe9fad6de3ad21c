// The open that serves a file does not follow a symlink that replaced it after its path was checked, and does not
// hang on a FIFO: the race between resolving a path inside the root and opening it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SmallFileCache } from '../../src/http/file-cache.js';
import { BodyWriter, Unreadable } from '../../src/http/reply-body.js';
import { tempDir } from '../helpers/tmp.js';

async function swapped(t: Parameters<typeof tempDir>[0]): Promise<{ path: string; identity: { size: number; mtimeMs: number; ino: number } }> {
  const dir = await tempDir(t);
  const path = join(dir, 'served.bin');
  await writeFile(path, Buffer.alloc(3000, 1));
  const st = await stat(path);
  // After the check: the file is replaced by a link to one outside the root.
  await writeFile(join(dir, 'outside.bin'), Buffer.alloc(3000, 9));
  await unlink(path);
  await symlink(join(dir, 'outside.bin'), path);
  return { path, identity: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } };
}

test('served open: a small file swapped for a symlink after its check is refused (ELOOP), not read through the link', async (t) => {
  const { path, identity } = await swapped(t);
  const writer = new BodyWriter({ cache: new SmallFileCache(64 * 1024, 1 << 20) });
  const source = await writer.prepare({ kind: 'file', path, range: { start: 0, end: 2999 }, identity });
  assert.ok(source instanceof Unreadable, 'not served');
  assert.equal(source.code, 'ELOOP');
});

test('served open: a large file (streamed) and a HEAD check refuse the swapped symlink too', async (t) => {
  const { path, identity } = await swapped(t);
  const writer = new BodyWriter({ cache: new SmallFileCache(1024, 1 << 20) }); // 3000 bytes: too large to cache
  const streamed = await writer.prepare({ kind: 'file', path, range: { start: 0, end: 2999 }, identity });
  assert.ok(streamed instanceof Unreadable && streamed.code === 'ELOOP');
  const head = await writer.prepare({ kind: 'head-of-file', path, identity });
  assert.ok(head instanceof Unreadable && head.code === 'ELOOP');
});

test('served open: a FIFO in place of the file does not hang the open', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const writer = new BodyWriter({ cache: new SmallFileCache(1024, 1 << 20) });
  const opened = await Promise.race([writer.prepare({ kind: 'head-of-file', path, identity: { size: 10_000, mtimeMs: 0, ino: 0 } }), new Promise((r) => setTimeout(() => r('hung'), 2000))]);
  assert.notEqual(opened, 'hung');
});
