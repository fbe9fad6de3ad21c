// Web seeds over HTTPS (`tandem serve --tls-cert`, a certificate made by openssl) and over IPv6 loopback.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { downloadFromWebSeeds, WebSeedError } from '../../src/webseed/index.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree } from '../helpers/trees.js';
import { assertSameTree, makeTorrent } from '../helpers/webseed-servers.js';

describe('web seeds over TLS and IPv6', () => {
  it('downloads from an https:// seed whose certificate is trusted, and refuses it when it is not', async (t) => {
    const openssl = requireProgram('openssl', 'openssl');
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const gen = await run(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    assert.equal(gen.code, 0, gen.stderr);
    const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', join(dir, 'src'), '--http', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key, '--json']);
    const url = (await waitForLine(server, /"url":"(https:[^"]+)"/))[1]!;
    const meta = await makeTorrent(sample, { webSeeds: [url] });
    await downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), seedOptions: { ca: await readFile(cert) } });
    await assertSameTree(sample, join(dir, 'out/sample'));
    // Without the CA the TLS handshake fails: a typed network error, and the download gives up cleanly.
    const errors: WebSeedError[] = [];
    await assert.rejects(
      downloadFromWebSeeds({ meta, outDir: join(dir, 'out2'), maxAttemptsPerPiece: 1, onSeedError: (e) => errors.push(e.error) }),
      (e: unknown) => e instanceof WebSeedError && e.code === 'WEBSEED_FAILED',
    );
    assert.ok(errors.length > 0 && errors.every((e) => e.code === 'WEBSEED_NETWORK'), errors.map((e) => e.message).join('; '));
  });

  it('downloads from a seed on [::1]', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', join(dir, 'src'), '--http', '[::1]:0', '--json']);
    const port = (await waitForLine(server, /"event":"listening".*"port":(\d+)/))[1]!;
    const meta = await makeTorrent(sample, { webSeeds: [`http://[::1]:${port}/`] });
    await downloadFromWebSeeds({ meta, outDir: join(dir, 'out') });
    await assertSameTree(sample, join(dir, 'out/sample'));
  });
});
