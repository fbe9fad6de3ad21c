import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseTftpUrl, tftpGet } from '../tftp/index.js';
import type { GetFlags } from './get-flags.js';
import { wholeNumberFlag } from './options.js';
import { Output, untilInterrupted } from './output.js';
import { ByteProgress } from './progress.js';
import { formatBytes } from './units.js';

/** `tandem get tftp://host:port/path [--blksize N] [--windowsize N]`: saves into -o DIR. */
export async function getTftp(source: string, flags: GetFlags): Promise<number> {
  const out = new Output(flags);
  const url = parseTftpUrl(source);
  const blockSizeBytes = wholeNumberFlag(flags.blksize, '--blksize', 8, 65464);
  const windowSize = wholeNumberFlag(flags.windowsize, '--windowsize', 1, 65535);
  await mkdir(flags.output, { recursive: true });
  const name = basename(url.file.replace(/\\/g, '/')) || 'download';
  const outPath = join(flags.output, name === '..' || name === '.' ? 'download' : name);
  const progress = new ByteProgress('tftp', flags);
  try {
    const started = Date.now();
    const r = await untilInterrupted((signal) => tftpGet({ host: url.host, port: url.port, file: url.file, mode: url.mode, outPath, blockSizeBytes, windowSize, signal, onProgress: (d, t) => progress.update(d, t) }));
    progress.stop();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    out.line(`saved ${outPath} (${formatBytes(r.bytes)}, blksize ${r.options.blockSizeBytes}, windowsize ${r.options.windowSize}, ${formatBytes(Math.round(r.bytes / seconds))}/s)`);
    out.json({ event: 'done', path: outPath, bytes: r.bytes, blockSizeBytes: r.options.blockSizeBytes, windowSize: r.options.windowSize, seconds });
    return 0;
  } finally {
    progress.stop();
  }
}
