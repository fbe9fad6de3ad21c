import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpAnnounce } from '../../src/tracker/index.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import { startProcess } from './processes.js';
import { requireProgram } from './programs.js';

/**
 * Starts Debian's opentracker on loopback. It is built whitelist-only and refuses root, so it runs as nobody with
 * a world-readable folder holding the whitelist; it prints nothing when ready and loads the whitelist a moment
 * after it listens, so we send a `stopped` announce (which registers nobody) until one is answered.
 */
export async function startOpentracker(t: { after: (fn: () => Promise<void> | void) => void }, infoHashes: Buffer[]): Promise<{ http: string; udp: string }> {
  const bin = requireProgram('opentracker', 'opentracker');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-ot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'whitelist'), infoHashes.map((h) => h.toString('hex')).join('\n') + '\n', { mode: 0o644 });
  const [tcp, udp] = [await freeTcpPort(), await freeUdpPort()];
  const child = startProcess(t, bin, ['-i', '127.0.0.1', '-p', String(tcp), '-P', String(udp), '-d', dir, '-u', 'nobody', '-w', 'whitelist']);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const http = `http://127.0.0.1:${tcp}/announce`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`opentracker exited ${child.exitCode}: ${stderr}`);
    try {
      const probe = { infoHash: infoHashes[0]!, peerId: Buffer.alloc(20, 0xee), port: 1, uploaded: 0, downloaded: 0, left: 0, event: 'stopped' as const };
      await httpAnnounce(http, probe, { timeoutMs: 500 });
      return { http, udp: `udp://127.0.0.1:${udp}/announce` };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`opentracker did not answer on ${http}: ${stderr}`);
}
