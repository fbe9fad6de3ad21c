import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { tempDir } from './tmp.js';

/**
 * Who a server must run as for a test about file modes. Root reads and writes any file whatever its mode, so a
 * test of `chmod 000` run as root starts the server as `nobody`; run as anyone else, the server runs as that user,
 * for whom modes already hold. Spread the result into `spawn`'s options.
 */
export function unprivilegedUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  if (!line) throw new Error('tests of file modes run as root need a "nobody" user in /etc/passwd');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A temporary folder that the unprivileged user can enter and read (mkdtemp makes it 0700), removed at the end. */
export async function sharedTempDir(t: { after: (fn: () => Promise<void> | void) => void }): Promise<string> {
  const dir = await tempDir(t, 'tandem-modes-');
  await chmod(dir, 0o755);
  return dir;
}
