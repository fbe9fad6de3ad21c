import { Command } from 'commander';
import type { GetFlags } from '../get-flags.js';
import { loadModule } from '../../util/load-module.js';
import { addCommonFlags, runCommand } from '../output.js';
import { repeatable } from '../options.js';
import { WEBSEED_DEFAULTS } from '../../webseed/defaults.js';

export default function getCommand(): Command {
  const cmd = new Command('get')
    .description('download a magnet link, a .torrent file, an http(s)://, a tftp:// or an ftp(s):// URL')
    .argument('<source>', 'magnet:?..., path/to/file.torrent, http(s)://host/path, tftp://host:port/path or ftp(s)://[user[:pass]@]host[:port]/path (a folder when it ends in /)')
    .option('-o, --output <dir>', 'folder to download into', '.')
    .option('--peer <host:port>', 'connect to this peer directly (repeatable)', repeatable, [])
    .option('--port <n>', 'port to accept peers on (default: any free port)')
    .option('--listen <host>', 'address to accept peers on, e.g. 127.0.0.1 or ::1 (repeatable; default: every interface)', repeatable, [])
    .option('--seed', 'keep seeding after the download completes (until Ctrl-C)')
    .option('--no-dht', 'do not use the DHT to find peers')
    .option('--dht-bootstrap <host:port>', 'DHT node to bootstrap from instead of the public routers (repeatable)', repeatable, [])
    .option('--lsd', 'local peer discovery (BEP 14 multicast, on by default): force it on where TANDEM_NO_PUBLIC_DHT=1 turns it off (tests)')
    .option('--no-lsd', 'do not announce or look for peers on the local network (BEP 14 multicast)')
    .option('--max-peers <n>', 'most peers connected at once')
    .option('--encryption <policy>', 'protocol encryption (MSE): allow (answer it, dial plaintext; default), prefer (dial encrypted, fall back to plaintext) or require (RC4-encrypted peers only)')
    .option('--download-limit <rate>', 'cap download rate, bytes per second (e.g. 2MiB)')
    .option('--upload-limit <rate>', 'cap upload rate, bytes per second (e.g. 512KiB)')
    .option('--only <indexes>', 'download only these files of a multi-file torrent (e.g. 0,3)')
    .option('--sequential', 'fetch pieces in order, for streaming')
    .option('--no-webseeds', "do not fetch pieces from the torrent's web seeds (BEP 19 url-list, magnet ws=)")
    .option('--webseed-max-requests <n>', 'most HTTP requests in flight to one web seed', String(WEBSEED_DEFAULTS.maxInFlightPerSeed))
    .option('--no-swarm', 'for an http(s) URL: download over HTTP only, even when the server offers a torrent of the file')
    .option('--blksize <bytes>', 'TFTP block size to ask for (RFC 2348)')
    .option('--windowsize <n>', 'TFTP window size to ask for (RFC 7440)')
    .addHelpText('after', '\nExamples:\n  tandem get "magnet:?xt=urn:btih:..." -o downloads\n  tandem get file.torrent --peer 127.0.0.1:6881\n  tandem get http://127.0.0.1:8080/big.iso\n  tandem get tftp://127.0.0.1:6969/boot.img --blksize 1428 --windowsize 16\n  tandem get ftp://127.0.0.1:2121/pub/big.iso\n  tandem get ftps://me:secret@127.0.0.1:2990/docs/ -o mirror');
  addCommonFlags(cmd);
  return cmd.action((source: string, flags: GetFlags) =>
    runCommand(flags, () => {
      const lower = source.toLowerCase();
      // Only the client the source needs is loaded: a torrent download never loads FTP or TFTP, and the reverse
      // (start-up counts when sixteen of them start at once: issue 13).
      if (lower.startsWith('http://') || lower.startsWith('https://')) return loadModule<typeof import('../get-http.js')>('../get-http.js', import.meta.url).getHttp(source, flags);
      if (lower.startsWith('tftp://')) return loadModule<typeof import('../get-tftp.js')>('../get-tftp.js', import.meta.url).getTftp(source, flags);
      if (lower.startsWith('ftp://') || lower.startsWith('ftps://')) return loadModule<typeof import('../get-ftp.js')>('../get-ftp.js', import.meta.url).getFtp(source, flags);
      return loadModule<typeof import('../get-torrent.js')>('../get-torrent.js', import.meta.url).getTorrent(source, flags);
    }),
  );
}
