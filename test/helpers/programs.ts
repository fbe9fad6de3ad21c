import { spawnSync } from 'node:child_process';

/**
 * Fails loudly when a reference program is missing: interop tests never pass silently.
 * `scripts/install-test-deps.sh` installs every program the tests name.
 */
export function requireProgram(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(`${command} is missing: install it with scripts/install-test-deps.sh (Debian package ${debianPackage})`);
  }
  return path;
}

/** Debian's python3 has the libtorrent module; the python3 first on PATH may be another build without it. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireLibtorrent(): string {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', 'import libtorrent; print(libtorrent.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('python3-libtorrent is missing: install it with scripts/install-test-deps.sh');
  return r.stdout.trim();
}
