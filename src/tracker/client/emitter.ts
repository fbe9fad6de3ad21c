// A small typed event emitter. Unlike node's EventEmitter, an 'error' event with no listener is not thrown:
// a tracker failing is news for the engine, never a crash (a broken tracker must not stop a download).
export class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(detail: never) => void>>();

  on<K extends keyof Events>(name: K, fn: (detail: Events[K]) => void): this {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (detail: never) => void);
    return this;
  }

  off<K extends keyof Events>(name: K, fn: (detail: Events[K]) => void): this {
    this.listeners.get(name)?.delete(fn as (detail: never) => void);
    return this;
  }

  protected emit<K extends keyof Events>(name: K, detail: Events[K]): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) (fn as (d: Events[K]) => void)(detail);
  }
}

/** Time, injectable so tests drive the scheduler without waiting (STYLE.md 16). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
