import type cliProgress from 'cli-progress';
import type { SwarmStats } from '../node/index.js';
import type { CommonFlags } from './output.js';
import { terminalBar } from './progress.js';
import { formatBytes } from './units.js';

/** A live progress line: percent, down and up rates, peers, ETA; JSON once a second; plain lines when not a TTY. */
export class TorrentProgress {
  private bar?: cliProgress.SingleBar;
  private lastPlainMs = 0;

  constructor(
    private readonly flags: CommonFlags,
    private readonly tty = Boolean(process.stdout.isTTY),
  ) {}

  update(s: SwarmStats): void {
    if (this.flags.quiet) return;
    const row = {
      percent: s.wantedBytes === 0 ? 0 : Math.floor((s.verifiedBytes / s.wantedBytes) * 1000) / 10,
      down: `${formatBytes(Math.round(s.downloadRateBytesPerSec))}/s`,
      up: `${formatBytes(Math.round(s.uploadRateBytesPerSec))}/s`,
      peers: s.peers,
      eta: s.etaSeconds === undefined ? '?' : `${s.etaSeconds}s`,
      web: s.webSeedBytes > 0 ? ` | ${formatBytes(s.webSeedBytes)} from web seeds` : '',
    };
    if (this.flags.json) {
      process.stdout.write(JSON.stringify({ event: 'progress', ...s }) + '\n');
      return;
    }
    if (this.tty) {
      if (!this.bar) {
        this.bar = terminalBar({ format: '{state} [{bar}] {percent}% | down {down} | up {up} | {peers} peers{web} | ETA {eta}' });
        this.bar.start(Math.max(1, s.wantedBytes), 0, { ...row, state: s.state });
      }
      this.bar.setTotal(Math.max(1, s.wantedBytes));
      this.bar.update(s.verifiedBytes, { ...row, state: s.state });
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainMs >= 2000) {
      this.lastPlainMs = now;
      process.stdout.write(`${s.state}: ${row.percent}% | down ${row.down} | up ${row.up} | ${row.peers} peers${row.web} | ETA ${row.eta}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
