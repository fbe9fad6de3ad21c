// Private mode: an allow list of info hashes and per-user passkeys. Both are plain text files, one entry a line,
// '#' starts a comment; both are re-read on reload() (the CLI calls it on SIGHUP, as opentracker does).
import { readFile } from 'node:fs/promises';
import { TrackerError, badRequest } from '../errors.js';

export interface AccessFiles {
  /** Hex info hashes (40 hex digits) that may be tracked; without it, every torrent may. */
  allowFile?: string;
  /** Passkeys (1..64 chars of [A-Za-z0-9_-]); with it, an announce must carry one in its path: /PASSKEY/announce. */
  passkeyFile?: string;
}

const PASSKEY = /^[A-Za-z0-9_-]{1,64}$/;

export class AccessControl {
  private allowed: Set<string> | undefined;
  private passkeys: Set<string> | undefined;

  constructor(private readonly files: AccessFiles = {}) {}

  get privateMode(): boolean {
    return this.allowed !== undefined || this.passkeys !== undefined;
  }

  async reload(): Promise<void> {
    if (this.files.allowFile) this.allowed = new Set((await lines(this.files.allowFile)).map((h) => parseHexHash(h, this.files.allowFile!)));
    if (this.files.passkeyFile) {
      const keys = await lines(this.files.passkeyFile);
      for (const k of keys) if (!PASSKEY.test(k)) throw new TrackerError('TRACKER_BAD_FIELD', `${this.files.passkeyFile}: "${k}" is not a passkey (1-64 of A-Z a-z 0-9 _ -)`, 'input');
      this.passkeys = new Set(keys);
    }
  }

  /** Throws the protocol error a refused announce or scrape gets. */
  check(infoHash: Buffer, passkey: string | undefined): void {
    if (this.passkeys && (passkey === undefined || !this.passkeys.has(passkey))) throw badRequest('TRACKER_BAD_PASSKEY', 'unknown passkey');
    if (this.allowed && !this.allowed.has(infoHash.toString('hex'))) throw badRequest('TRACKER_NOT_ALLOWED', 'torrent not registered with this tracker');
  }
}

async function lines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TrackerError('TRACKER_BAD_FIELD', `cannot read ${file}: ${(err as Error).message}`, 'input', { cause: err });
  }
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

function parseHexHash(text: string, file: string): string {
  if (!/^[0-9a-fA-F]{40}$/.test(text)) throw new TrackerError('TRACKER_BAD_INFO_HASH', `${file}: "${text}" is not a 40-digit hex info hash`, 'input');
  return text.toLowerCase();
}

/** BEP 41 / HTTP path: "/PASSKEY/announce" gives PASSKEY; "/announce" gives undefined. */
export function passkeyFromPath(path: string): string | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.length === 2 ? parts[0] : undefined;
}
