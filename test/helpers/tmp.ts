import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the system temp dir, removed when the test ends. */
export async function tempDir(t: { after: (fn: () => Promise<void> | void) => void }, prefix = 'tandem-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // After hooks run in the order registered and a throwing one stops the rest: this one runs before the hooks
  // that stop what the test started, which may still be writing here (ENOTEMPTY). It retries, and never throws, so
  // the later hooks still stop everything and the test process can exit.
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }).catch(() => undefined));
  return dir;
}
