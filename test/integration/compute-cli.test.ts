// The CLI contract of `tandem compute`: help with examples, exit 2 for bad usage, 1 for run-time failures,
// --json output that parses, --quiet that prints nothing.
import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixtureWasm } from '../helpers/compute.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

describe('tandem compute CLI', () => {
  it('shows help with examples for the command and each subcommand', async () => {
    const top = await tandem(['compute', '--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Examples:[\s\S]*compute join/);
    for (const sub of ['keygen', 'app', 'submit', 'serve', 'status', 'join']) {
      const r = await tandem(['compute', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, /Example/, sub);
      assert.match(r.stdout, /--json/, sub);
    }
  });

  it('exits 2 on bad usage and bad input, 1 on run-time failures', async (t) => {
    const dir = await tempDir(t, 'tandem-compute-cli-');
    const proj = join(dir, 'proj');
    const cases: [args: string[], code: number, stderr: RegExp][] = [
      [['compute', 'submit', proj], 2, /--app/],
      [['compute', 'submit', proj, '--app', 'nope', '--input', join(dir, 'x')], 2, /no compute project at/],
      [['compute', 'status', join(dir, 'typo')], 2, /no compute project at/],
      [['compute', 'join', 'ftp://127.0.0.1/'], 2, /not an http/],
      [['compute', 'join', 'http://127.0.0.1:1/', '--cores', 'many'], 2, /--cores/],
      [['compute', 'serve', proj, '--http', 'nowhere'], 2, /HOST:PORT/],
      [['compute', 'serve', proj, '--http', '127.0.0.1:0'], 2, /no compute project at/],
      [['compute', 'nosuch'], 2, /unknown command/],
    ];
    for (const [args, code, stderr] of cases) {
      const r = await tandem(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
    }
    assert.equal((await tandem(['compute', 'keygen', proj, '--quiet'])).stdout, '');
    assert.equal(await access(join(dir, 'typo')).then(() => true, () => false), false, 'a typo makes no project');
    const noApp = await tandem(['compute', 'submit', proj, '--app', 'nope', '--input', join(dir, 'x')]);
    assert.equal(noApp.code, 2);
    assert.match(noApp.stderr, /no application "nope"/);
    const missing = await tandem(['compute', 'app', proj, '--name', 'a', '--wasm', join(dir, 'missing.wasm')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
    const again = await tandem(['compute', 'keygen', proj]);
    assert.equal(again.code, 2, 'keygen never replaces a key');
    await writeFile(join(dir, 'bad.wasm'), 'not wasm');
    const refused = await tandem(['compute', 'app', proj, '--name', 'a', '--wasm', join(dir, 'bad.wasm')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /module refused/);
    // A server that cannot listen (the port is taken, on 127.0.0.1) is a run-time failure.
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    t.after(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const busy = await tandem(['compute', 'serve', proj, '--http', `127.0.0.1:${port}`]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /cannot listen/);
  });

  it('prints JSON lines with --json', async (t) => {
    const dir = await tempDir(t, 'tandem-compute-cli-');
    const proj = join(dir, 'proj');
    await writeFile(join(dir, 'app.wasm'), fixtureWasm('checksum'));
    await writeFile(join(dir, 'in'), 'x');
    assert.equal((await tandem(['compute', 'keygen', proj])).code, 0);
    const app = JSON.parse((await tandem(['compute', 'app', proj, '--name', 'sum', '--wasm', join(dir, 'app.wasm'), '--json'])).stdout) as { version: number };
    assert.equal(app.version, 1);
    const sub = await tandem(['compute', 'submit', proj, '--app', 'sum', '--input', join(dir, 'in'), '--name', 'one', '--json']);
    assert.deepEqual(JSON.parse(sub.stdout), { workUnit: 'one' });
    const st = JSON.parse((await tandem(['compute', 'status', proj, '--json'])).stdout) as { workUnits: Record<string, number>; instances: Record<string, number> };
    assert.deepEqual(st.workUnits, { active: 1 });
    assert.deepEqual(st.instances, { unsent: 2 });
  });
});
