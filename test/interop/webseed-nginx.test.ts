// The web-seed client against Debian's nginx (nginx-light) as a second real web server, alone and together with
// `tandem serve`: the hybrid in miniature, two origins sharing one download.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent } from '../../src/metainfo/index.js';
import { downloadFromWebSeeds } from '../../src/webseed/index.js';
import { startTorrent } from '../helpers/peer-fixtures.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startProcess, tandem } from '../helpers/processes.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree } from '../helpers/trees.js';
import { assertSameTree, makeTorrent, startTandemServe } from '../helpers/webseed-servers.js';

type T = Parameters<typeof tempDir>[0];

/** nginx in the foreground on 127.0.0.1:<free port>, config, pid, logs and temp folders all in a temp dir. */
async function startNginx(t: T, root: string): Promise<{ url: string; accessLog: string }> {
  const nginx = requireProgram('nginx', 'nginx-light');
  const dir = await tempDir(t, 'tandem-nginx-');
  const port = await freeTcpPort();
  const accessLog = join(dir, 'access.log');
  await mkdir(join(dir, 'tmp'));
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir}/tmp/${k};`).join('\n    ');
  await writeFile(
    join(dir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 64; }\n` +
      `http {\n    access_log ${accessLog} combined;\n    ${temps}\n    default_type application/octet-stream;\n` +
      `    server { listen 127.0.0.1:${port}; root ${root}; }\n}\n`,
  );
  const child = startProcess(t, nginx, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Bounded wait for the port to accept (nginx prints nothing when it is ready).
  for (let i = 0; ; i++) {
    if (await canConnect(port)) break;
    if (i >= 100 || child.exitCode !== null) throw new Error(`nginx did not start: ${stderr}${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/`, accessLog };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('web seeds against nginx', () => {
  it('tandem get of a multi-file hybrid torrent with nginx as its only source, then with nginx beside a tandem peer', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const { url, accessLog } = await startNginx(t, join(dir, 'src'));
    const { bytes, metainfo } = await createTorrent(sample, { version: 'hybrid', pieceLengthBytes: 16_384, webSeeds: [url], workers: 1 });
    const file = join(dir, 'sample.torrent');
    await writeFile(file, bytes);
    const alone = await tandem(['get', file, '-o', join(dir, 'alone'), '--no-dht', '--json'], { timeoutMs: 60_000 });
    assert.equal(alone.code, 0, alone.stderr);
    await assertSameTree(sample, join(dir, 'alone/sample'));
    const done = JSON.parse(alone.stdout.split('\n').find((l) => l.includes('"event":"done"'))!) as { webSeedBytes: number };
    assert.equal(done.webSeedBytes, metainfo.totalLengthBytes);
    // nginx answered every request (BEP 47 pad files are never asked for, so no 404s).
    const statuses = (await readFile(accessLog, 'utf8')).trim().split('\n').map((l) => /" (\d{3}) /.exec(l)?.[1]);
    assert.ok(statuses.every((s) => s === '206' || s === '200'), statuses.join(','));

    const seed = await startTorrent(t, { metainfo, dir: join(dir, 'src'), trustData: true });
    const both = await tandem(['get', file, '-o', join(dir, 'both'), '--no-dht', '--peer', `127.0.0.1:${seed.listenPort}`], { timeoutMs: 60_000 });
    assert.equal(both.code, 0, both.stderr);
    await assertSameTree(sample, join(dir, 'both/sample'));
  });

  it('downloads a multi-file torrent (v1 and hybrid) from nginx with ranged GETs', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const { url, accessLog } = await startNginx(t, join(dir, 'src'));
    let requests = 0;
    for (const version of ['v1', 'hybrid'] as const) {
      const meta = await makeTorrent(sample, { version, webSeeds: [url] });
      const out = join(dir, `out-${version}`);
      const r = await downloadFromWebSeeds({ meta, outDir: out });
      await assertSameTree(sample, join(out, 'sample'));
      assert.equal(r.seeds[0]!.stats.failures, 0);
      assert.equal(r.seeds[0]!.ignoresRanges, false);
      requests += r.seeds[0]!.stats.requests;
    }
    const lines = (await readFile(accessLog, 'utf8')).trim().split('\n');
    assert.equal(lines.length, requests, 'one access-log line per request the client counted');
    // Every answer was 206 except whole-file requests (a file fully inside one piece is asked for without Range).
    const statuses = new Set(lines.map((l) => /" (\d{3}) /.exec(l)?.[1]));
    assert.ok([...statuses].every((s) => s === '206' || s === '200'), [...statuses].join(','));
    assert.ok(statuses.has('206'));
  });

  it('a single-file torrent with a folder URL, shared between nginx and tandem serve', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const nginx = await startNginx(t, join(dir, 'src'));
    const tandemUrl = await startTandemServe(t, join(dir, 'src'));
    const file = join(sample, 'c/d/e/f.bin');
    const meta = await makeTorrent(file, { webSeeds: [`${nginx.url}sample/c/d/e/`, `${tandemUrl}sample/c/d/e/f.bin`] });
    const bySeed = new Map<string, number>();
    const r = await downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), onPiece: (e) => bySeed.set(e.seedUrl, (bySeed.get(e.seedUrl) ?? 0) + 1) });
    await assertSameTree(file, join(dir, 'out/f.bin'));
    assert.equal(bySeed.size, 2, `both origins served pieces: ${JSON.stringify([...bySeed])}`);
    assert.equal([...bySeed.values()].reduce((a, b) => a + b, 0), meta.pieceCount);
    assert.ok(r.seeds.every((s) => s.stats.failures === 0));
  });
});
