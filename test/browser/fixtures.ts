// Seeds on loopback for the browser tests: a tracker and `tandem share`, real programs the daemon downloads from.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';

type TestContext = { after: (fn: () => Promise<void> | void) => void };

export async function writeRandom(path: string, bytes: number): Promise<Buffer> {
  const data = randomBytes(bytes);
  await writeFile(path, data);
  return data;
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** `tandem tracker` on a loopback port; resolves with its announce URL. */
export async function startTracker(t: TestContext): Promise<string> {
  const tracker = startProcess(t, process.execPath, [...TANDEM_ARGV, 'tracker', '--http', '127.0.0.1:0']);
  return (await waitForLine(tracker, /tracker http listening on (http:\S+)/))[1]!;
}

/** `tandem share` of a path on loopback, without DHT or local discovery; resolves with its magnet link. */
export async function share(t: TestContext, path: string, args: string[] = []): Promise<string> {
  const seed = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', path, '--listen', '127.0.0.1', '--no-dht', '--no-lsd', '--json', ...args]);
  const [line] = await waitForLine(seed, /^\{.*"event":"seeding".*\}$/, 30_000);
  return (JSON.parse(line) as { magnet: string }).magnet;
}

/** A folder of files whose sizes are whole 16 KiB pieces, so no piece spans two files. */
export async function album(dir: string): Promise<Record<string, Buffer>> {
  const root = join(dir, 'album');
  await mkdir(root, { recursive: true });
  const sizes: Record<string, number> = { 'one.flac': 256 * 1024, 'two.flac': 256 * 1024, 'cover.jpg': 64 * 1024, 'notes.txt': 32 * 1024 };
  const out: Record<string, Buffer> = {};
  for (const [name, size] of Object.entries(sizes)) out[name] = await writeRandom(join(root, name), size);
  return out;
}
