import { Command, Option } from 'commander';
import { parseHostPort, SERVER_DEFAULTS, TrackerServer, type TrackerServerInit } from '../../tracker/index.js';
import { TrackerError } from '../../tracker/errors.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';

interface TrackerFlags extends CommonFlags {
  http?: string;
  udp?: string;
  store: string;
  allow?: string;
  passkeys?: string;
  interval: string;
  peerTtl?: string;
  maxNumwant?: string;
  maxTorrents?: string;
  maxPeers?: string;
  rateLimit: string;
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new TrackerError('TRACKER_BAD_FIELD', `${name} must be an integer from ${min} to ${max}`, 'input');
  return n;
}

export default function trackerCommand(): Command {
  const cmd = new Command('tracker')
    .description('run a BitTorrent tracker over HTTP and UDP')
    .addOption(new Option('--http <host:port>', 'serve HTTP announces, scrapes, /stats and /metrics here'))
    .addOption(new Option('--udp <host:port>', 'serve UDP (BEP 15) announces and scrapes here'))
    .addOption(new Option('--store <memory|redis://host:port>', 'where the swarm lives; redis lets several trackers share one').default('memory'))
    .addOption(new Option('--allow <file>', 'private mode: only these info hashes (hex, one a line; re-read on SIGHUP)'))
    .addOption(new Option('--passkeys <file>', 'private mode: announces must use /PASSKEY/announce with one of these (re-read on SIGHUP)'))
    .addOption(new Option('--interval <seconds>', 'announce interval sent to peers').default('1800'))
    .addOption(new Option('--peer-ttl <seconds>', 'forget a peer silent this long (default: 2 intervals + 60)'))
    .addOption(new Option('--max-numwant <n>', 'cap on peers returned per announce'))
    .addOption(new Option('--max-torrents <n>', 'cap on torrents tracked'))
    .addOption(new Option('--max-peers <n>', 'cap on peers per torrent'))
    .addOption(new Option('--rate-limit <per-second>', 'requests per second per address (0: no limit)').default(String(SERVER_DEFAULTS.rateLimitPerSecond)))
    .addHelpText('after', '\nExamples:\n  tandem tracker --http 127.0.0.1:6969 --udp 127.0.0.1:6969\n  tandem tracker --http 0.0.0.0:8000 --store redis://127.0.0.1:6379 --allow hashes.txt');
  addCommonFlags(cmd);
  return cmd.action((flags: TrackerFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const intervalS = int('--interval', flags.interval, 1, 86_400);
      const init: TrackerServerInit = {
        store: flags.store,
        allowFile: flags.allow,
        passkeyFile: flags.passkeys,
        announceIntervalS: intervalS,
        peerTtlMs: flags.peerTtl ? int('--peer-ttl', flags.peerTtl, 1, 7 * 86_400) * 1000 : (2 * intervalS + 60) * 1000,
        rateLimitPerSecond: int('--rate-limit', flags.rateLimit, 0, 1e9),
      };
      if (flags.http) init.http = parseHostPort(flags.http);
      if (flags.udp) init.udp = parseHostPort(flags.udp);
      if (flags.maxNumwant) init.maxNumwant = int('--max-numwant', flags.maxNumwant, 0, 10_000);
      if (flags.maxTorrents) init.maxTorrents = int('--max-torrents', flags.maxTorrents, 1, 1e9);
      if (flags.maxPeers) init.maxPeersPerTorrent = int('--max-peers', flags.maxPeers, 1, 1e9);
      const server = new TrackerServer(init);
      const addrs = await server.start();
      const host = (h: string): string => (h.includes(':') ? `[${h}]` : h);
      if (addrs.http) out.line(`tracker http listening on http://${host(addrs.http.host)}:${addrs.http.port}/announce`);
      if (addrs.udp) out.line(`tracker udp listening on udp://${host(addrs.udp.host)}:${addrs.udp.port}/announce`);
      out.json({ event: 'listening', http: addrs.http, udp: addrs.udp, store: flags.store });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', reload);
          resolve();
        };
        const reload = (): void => {
          server.reload().then(
            () => out.detail('reloaded the allow list and passkeys'),
            (err: unknown) => process.stderr.write(`tandem: reload failed: ${(err as Error).message}\n`),
          );
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        process.on('SIGHUP', reload);
      });
      await server.stop();
    }),
  );
}
