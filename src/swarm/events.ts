import { EventEmitter } from 'node:events';

/**
 * A typed event emitter (STYLE.md 13): each event name maps to one detail object. Thin over node's EventEmitter.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly inner = new EventEmitter();

  constructor() {
    this.inner.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(event: K, fn: (detail: Events[K]) => void): this {
    this.inner.on(event, fn);
    return this;
  }

  once<K extends keyof Events & string>(event: K, fn: (detail: Events[K]) => void): this {
    this.inner.once(event, fn);
    return this;
  }

  off<K extends keyof Events & string>(event: K, fn: (detail: Events[K]) => void): this {
    this.inner.off(event, fn);
    return this;
  }

  protected emit<K extends keyof Events & string>(event: K, detail: Events[K]): void {
    this.inner.emit(event, detail);
  }

  protected removeAllListeners(): void {
    this.inner.removeAllListeners();
  }
}
