import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startProcess, TANDEM_ARGV, waitForLine } from './processes.js';

export interface SharedSeed {
  child: ChildProcess;
  port: number;
  torrentFile: string;
  /** The seed's bytes uploaded so far, from its latest `--json` progress line. */
  uploadedBytes(): number;
  /** Waits for a progress line printed after now, and returns its uploadedBytes. */
  nextUploadedBytes(): Promise<number>;
}

/** `tandem share PATH` on loopback with no DHT or LSD, its torrent written beside; killed when the test ends. */
export async function startShare(t: { after: (fn: () => void) => void }, path: string, dir: string, extra: string[] = []): Promise<SharedSeed> {
  const torrentFile = join(dir, 'shared.torrent');
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', path, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--json', '--torrent-out', torrentFile, ...extra]);
  let uploaded = 0;
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const l of lines) {
      const m = /"event":"progress".*"uploadedBytes":(\d+)/.exec(l);
      if (m) {
        uploaded = Number(m[1]);
        child.emit('progress', uploaded);
      }
    }
  });
  const [line] = await waitForLine(child, /^\{.*"event":"seeding".*\}$/, 30_000);
  const { port } = JSON.parse(line) as { port: number };
  return {
    child,
    port,
    torrentFile,
    uploadedBytes: () => uploaded,
    nextUploadedBytes: async () => ((await once(child, 'progress')) as [number])[0],
  };
}
