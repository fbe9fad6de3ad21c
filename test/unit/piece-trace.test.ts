import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/util/piece-trace.js', import.meta.url));
const script = `import { tracePiece } from ${JSON.stringify(MODULE)}; tracePiece('request-sent', 7, '10.0.0.1'); tracePiece('verified', 7, '');`;

test('piece trace: with TANDEM_PIECE_TRACE a process writes its start and one line per event by exit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'piece-trace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'c1.trace');
  const before = Date.now();
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TANDEM_PIECE_TRACE: file } });
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  const origin = Number(lines[0]!.split(' ')[1]);
  assert.ok(lines[0]!.startsWith('origin ') && origin <= Date.now() && origin > before - 60_000, lines[0]);
  const [ms, event, piece, peer] = lines[1]!.split(' ');
  assert.ok(Number(ms) >= origin, 'events come after the start');
  assert.deepEqual([event, piece, peer], ['request-sent', '7', '10.0.0.1']);
  assert.match(lines[2]!, /^\d{13} verified 7$/);
});

test('piece trace: without the variable nothing is written', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'piece-trace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env };
  delete env.TANDEM_PIECE_TRACE;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: dir });
  assert.deepEqual(readdirSync(dir), [], 'no file anywhere in the working folder');
});
