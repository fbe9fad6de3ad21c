import { readFileSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/**
 * A temporary folder that the unprivileged user can enter and read (mkdtemp makes it 0700). At the end the modes a
 * test took away are given back, so a run that is not root can remove it too, and it is removed.
 */
export async function sharedTempDir(t: { after: (fn: () => Promise<void> | void) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-modes-'));
  await chmod(dir, 0o755);
  t.after(async () => {
    await giveBackModes(dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }).catch(() => undefined);
  });
  return dir;
}

async function giveBackModes(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  await chmod(path, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const name of await readdir(path)) await giveBackModes(join(path, name));
}
