import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { buildMagnet, createTorrent } from '../../metainfo/index.js';
import { isWildcardHost } from '../../node/index.js';
import { runTorrent } from '../get-torrent.js';
import { parseEncryption, parseListenHosts, parsePort } from '../torrent-flags.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';
import { parseBytes } from '../units.js';
import { VERSION } from '../../util/version.js';
import { repeatable } from '../options.js';

interface ShareFlags extends CommonFlags {
  port?: string;
  listen: string[];
  tracker: string[];
  webSeed: string[];
  dht: boolean;
  dhtBootstrap: string[];
  /** --lsd true, --no-lsd false, neither undefined (on, except under the test guard). */
  lsd?: boolean;
  torrentOut?: string;
  hybrid?: boolean;
  pieceLength?: string;
  uploadLimit?: string;
  encryption?: string;
}

export default function shareCommand(): Command {
  const cmd = new Command('share')
    .description('make a torrent of a file or folder (v1, or --hybrid) and seed it, printing the magnet link')
    .argument('<path>', 'file or folder to share')
    .option('--port <n>', 'port to accept peers on (default: any free port)')
    .option('--listen <host>', 'address to accept peers on (repeatable; default: every interface); the magnet names each one that is not a wildcard', repeatable, [])
    .option('-t, --tracker <url>', 'tracker announce URL (repeatable)', repeatable, [])
    .option('-w, --web-seed <url>', 'web seed URL, BEP 19 (repeatable)', repeatable, [])
    .option('--no-dht', 'do not use the DHT')
    .option('--dht-bootstrap <host:port>', 'DHT bootstrap node (repeatable)', repeatable, [])
    .option('--lsd', 'local peer discovery (BEP 14 multicast, on by default): force it on where TANDEM_NO_PUBLIC_DHT=1 turns it off (tests)')
    .option('--no-lsd', 'do not announce this torrent on the local network (BEP 14 multicast)')
    .option('--torrent-out <file>', 'also write the .torrent here')
    .option('--hybrid', 'make a hybrid v1+v2 torrent (seeded in its v1 swarm)')
    .option('--piece-length <bytes>', 'piece length, a power of two from 16KiB')
    .option('--upload-limit <rate>', 'cap upload rate, bytes per second (e.g. 2MiB)')
    .option('--encryption <policy>', 'protocol encryption (MSE): allow (answer it, dial plaintext; default), prefer (dial encrypted, fall back to plaintext) or require (RC4-encrypted peers only)')
    .addHelpText('after', '\nExamples:\n  tandem share ./photos\n  tandem share big.iso --port 6881 --torrent-out big.torrent -t http://127.0.0.1:6969/announce');
  addCommonFlags(cmd);
  return cmd.action((path: string, flags: ShareFlags) => runCommand(flags, () => runShare(path, flags)));
}

async function runShare(path: string, flags: ShareFlags): Promise<number> {
  const out = new Output(flags);
  const { bytes, metainfo } = await createTorrent(path, {
    version: flags.hybrid ? 'hybrid' : 'v1',
    pieceLengthBytes: flags.pieceLength === undefined ? undefined : parseBytes(flags.pieceLength, '--piece-length'),
    trackers: flags.tracker,
    webSeeds: flags.webSeed,
    createdBy: `tandem/${VERSION}`,
  });
  if (flags.torrentOut) await writeFile(flags.torrentOut, bytes);
  return runTorrent({
    flags,
    add: {
      metainfo: bytes,
      savePath: dirname(resolve(path)),
      uploadLimitBytesPerSec: flags.uploadLimit === undefined ? undefined : parseBytes(flags.uploadLimit, '--upload-limit'),
      // The data was hashed just now, to make the torrent.
      swarm: { trustData: true },
    },
    listen: { port: flags.port === undefined ? 0 : parsePort(flags.port), hosts: parseListenHosts(flags.listen), encryption: parseEncryption(flags.encryption) },
    seed: true,
    sharing: true,
    dht: { enabled: flags.dht, bootstrap: flags.dhtBootstrap },
    lsd: flags.lsd,
    onListening: (port, listen) => {
      const magnet = buildMagnet({
        infoHashV1: metainfo.infoHashV1,
        infoHashV2: metainfo.infoHashV2,
        name: metainfo.name,
        trackers: metainfo.announce.flat(),
        webSeeds: metainfo.urlList,
        // BEP 9 x.pe: only an address a peer can dial; a wildcard (every interface) names none.
        peers: listen.filter((h) => !isWildcardHost(h)).map((h) => (h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`)),
      });
      out.json({ event: 'seeding', magnet, port, listen, infoHash: metainfo.infoHashV1?.toString('hex'), torrentFile: flags.torrentOut });
      out.line(`magnet: ${magnet}`);
      out.line(`seeding ${metainfo.name} on ${listen.map((h) => (h.includes(':') ? `[${h}]` : h)).join(', ')} port ${port}; press Ctrl-C to stop`);
      if (!magnet.includes('x.pe=')) out.line('the link names no address (every interface listens): peers find this seed through its trackers or the DHT, or give --listen ADDRESS');
    },
  });
}
