import { mkdir } from 'node:fs/promises';
import { downloadHttp } from '../http/index.js';
import type { GetFlags } from './commands/get.js';
import { Output, untilInterrupted } from './output.js';
import { ByteProgress } from './progress.js';
import { formatBytes } from './units.js';

/** `tandem get http(s)://...`: saves into -o DIR, resuming a `.part` file left by an interrupted run. */
export async function getHttp(source: string, flags: GetFlags): Promise<number> {
  const out = new Output(flags);
  await mkdir(flags.output, { recursive: true });
  const progress = new ByteProgress('http', flags);
  try {
    const started = Date.now();
    const r = await untilInterrupted((signal) => downloadHttp({ url: source, outDir: flags.output, signal, onProgress: (d, t) => progress.update(d, t < 0 ? d : t) }));
    progress.stop();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    out.line(`saved ${r.path} (${formatBytes(r.bytes)}${r.resumedFromBytes > 0 ? `, resumed from ${formatBytes(r.resumedFromBytes)}` : ''}, ${formatBytes(Math.round((r.bytes - r.resumedFromBytes) / seconds))}/s)`);
    out.json({ event: 'done', path: r.path, bytes: r.bytes, resumedFromBytes: r.resumedFromBytes, seconds });
    return 0;
  } finally {
    progress.stop();
  }
}
