// Messages for the person at the page (an action failed, a torrent was added), shown in a live region. Errors go
// here, not to the console: the page's console stays clean, and a screen reader hears them.
import { AuthError, RpcError } from '../api/rpc.js';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

let nextId = 1;
let items: Notice[] = [];
const listeners = new Set<() => void>();
let onAuthLost: (() => void) | null = null;

export const notices = {
  get items(): readonly Notice[] {
    return items;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  push(text: string, kind: Notice['kind'] = 'info'): void {
    const notice = { id: nextId++, text, kind };
    items = [...items.slice(-3), notice];
    for (const l of listeners) l();
    setTimeout(() => notices.dismiss(notice.id), kind === 'error' ? 10_000 : 4_000);
  },
  dismiss(id: number): void {
    items = items.filter((n) => n.id !== id);
    for (const l of listeners) l();
  },
  /** Reports a failed action in words; a lost login takes the page back to the login form. */
  error(err: unknown, what: string): void {
    if (err instanceof AuthError) onAuthLost?.();
    const detail = err instanceof RpcError ? `${err.message}${err.stableCode ? ` (${err.stableCode})` : ''}` : err instanceof Error ? err.message : String(err);
    notices.push(`${what}: ${detail}`, 'error');
  },
  onAuthLost(f: () => void): void {
    onAuthLost = f;
  },
};

/** Runs an action, reporting its failure; resolves to undefined when it failed. */
export async function attempt<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    notices.error(err, what);
    return undefined;
  }
}
