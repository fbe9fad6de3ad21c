import type cliProgress from 'cli-progress';
import { loadPackage } from '../util/load-module.js';
import { formatBytes } from './units.js';
import type { CommonFlags } from './output.js';

/**
 * A terminal progress bar in the project's style. cli-progress is loaded here, for a bar only: --json, --quiet and a
 * pipe never parse it.
 */
export function terminalBar(options: cliProgress.Options): cliProgress.SingleBar {
  const { SingleBar, Presets } = loadPackage<typeof cliProgress>('cli-progress');
  return new SingleBar({ hideCursor: true, ...options }, Presets.shades_classic);
}

/**
 * Progress of long work: a bar on a terminal, a plain line every few seconds when stdout is not a TTY, one JSON
 * line a second with --json, nothing with --quiet.
 */
export class ByteProgress {
  private bar?: cliProgress.SingleBar;
  private lastLineMs = 0;
  private readonly startMs = Date.now();

  constructor(
    private readonly label: string,
    private readonly flags: CommonFlags,
    private readonly tty = Boolean(process.stdout.isTTY),
  ) {}

  update(done: number, total: number): void {
    if (this.flags.quiet) return;
    const now = Date.now();
    if (this.flags.json) {
      if (now - this.lastLineMs >= 1000 || done === total) {
        this.lastLineMs = now;
        process.stdout.write(JSON.stringify({ event: 'progress', task: this.label, doneBytes: done, totalBytes: total }) + '\n');
      }
      return;
    }
    if (this.tty) {
      if (!this.bar) {
        this.bar = terminalBar({ format: `${this.label} [{bar}] {percentage}% | {doneText} of {totalText} | {rate}/s | ETA {eta_formatted}`, clearOnComplete: true });
        this.bar.start(total, 0, this.payload(done, total));
      }
      this.bar.update(done, this.payload(done, total));
      return;
    }
    if (now - this.lastLineMs >= 2000 || done === total) {
      this.lastLineMs = now;
      process.stdout.write(`${this.label}: ${total === 0 ? 100 : Math.floor((done / total) * 100)}% (${formatBytes(done)} of ${formatBytes(total)})\n`);
    }
  }

  private payload(done: number, total: number): Record<string, string> {
    const seconds = Math.max(0.001, (Date.now() - this.startMs) / 1000);
    return { doneText: formatBytes(done), totalText: formatBytes(total), rate: formatBytes(Math.round(done / seconds)) };
  }

  stop(): void {
    this.bar?.stop();
  }
}
