// aria2c fetches one file over several connections at once: every range must be exact for the result to match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram } from '../helpers/programs.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

test('aria2c with 8 connections and 1 MiB pieces downloads a byte-exact copy', async (t) => {
  const aria2c = requireProgram('aria2c', 'aria2');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = randomBytes(24 * 1024 * 1024 + 4321);
  await writeFile(join(root, 'big.bin'), data);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--access-log', join(dir, 'access.log')]);
  const url = (await waitForLine(server, /at (http:\S+)/))[1]!;
  const r = await run(aria2c, ['-x', '8', '-s', '8', '-k', '1M', '--min-split-size=1M', '--file-allocation=none', '--allow-overwrite=true', '--console-log-level=warn', '--summary-interval=0', '-d', join(dir, 'out'), '-o', 'big.bin', url + 'big.bin'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const got = await readFile(join(dir, 'out', 'big.bin'));
  assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(data).digest('hex'));
  await new Promise((res) => setTimeout(res, 200));
  const partial = (await readFile(join(dir, 'access.log'), 'utf8')).split('\n').filter((l) => / 206 /.test(l));
  assert.ok(partial.length >= 2, `aria2c used ${partial.length} range requests`);
});
