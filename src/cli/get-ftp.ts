import { mkdir } from 'node:fs/promises';
import { ftpDownload } from '../ftp/index.js';
import type { GetFlags } from './get-flags.js';
import { Output, untilInterrupted } from './output.js';
import { ByteProgress } from './progress.js';
import { formatBytes } from './units.js';

/**
 * `tandem get ftp://[USER[:PASS]@]HOST[:PORT]/path` (and `ftps://`, implicit FTPS): one file into -o DIR, resuming
 * a `.part` left by an interrupted run; a URL ending in `/` downloads the folder's tree.
 */
export async function getFtp(source: string, flags: GetFlags): Promise<number> {
  const out = new Output(flags);
  await mkdir(flags.output, { recursive: true });
  const progress = new ByteProgress('ftp', flags);
  try {
    const started = Date.now();
    const r = await untilInterrupted((signal) => ftpDownload({ url: source, outDir: flags.output, signal, onProgress: (d, t) => progress.update(d, t < 0 ? d : t) }));
    progress.stop();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const what = r.files === 1 ? '' : `${r.files} files, `;
    out.line(`saved ${r.path} (${what}${formatBytes(r.bytes)}${r.resumedFromBytes > 0 ? `, resumed from ${formatBytes(r.resumedFromBytes)}` : ''}, ${formatBytes(Math.round((r.bytes - r.resumedFromBytes) / seconds))}/s)`);
    out.json({ event: 'done', path: r.path, bytes: r.bytes, files: r.files, resumedFromBytes: r.resumedFromBytes, seconds });
    return 0;
  } finally {
    progress.stop();
  }
}
