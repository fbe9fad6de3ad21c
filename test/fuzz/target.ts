import { isDeepStrictEqual } from 'node:util';
import { TandemError } from '../../src/util/errors.js';

/**
 * One decoder under fuzzing: seeds (valid inputs to mutate), the grammar's tokens, and `run`, which feeds it one
 * input. `run` may return normally (accepted; `false`: rejected by every parser it tried), throw a TandemError (rejected, as it should), or throw anything
 * else, which is a failure: an untyped exception, or an `InvariantError` where a cheap check (a re-encode round
 * trip) found the decoder returned something invalid.
 */
export interface FuzzTarget {
  name: string;
  /** What is fed, for the README's table and the progress lines. */
  about: string;
  seeds(): Buffer[] | Promise<Buffer[]>;
  tokens?: readonly string[];
  /** Longest random input, in bytes (default 256). */
  maxRandomBytes?: number;
  run(input: Buffer): unknown;
  /** Released after the run (a node the RPC targets opened). */
  close?(): Promise<void> | void;
}

/** A decoder's answer that a cheap check shows is wrong: always a failure. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function invariant(ok: boolean, message: string): void {
  if (!ok) throw new InvariantError(message);
}

/** Throws (an InvariantError) when `fn` throws anything but tandem's typed errors; says whether it accepted. */
export function typedOnly(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof TandemError) return false;
    throw err;
  }
}

/**
 * Decodes `input`, then checks that the codec's own encoder can carry what was decoded: decoding the re-encoding
 * gives the same value. Where a codec is lenient (it skips unknown keys), byte equality would be too strict.
 */
export function roundTrip<T>(input: Buffer, decode: (b: Buffer) => T, encode: (v: T) => Buffer): T {
  const value = decode(input);
  let again: T;
  try {
    again = decode(encode(value));
  } catch (err) {
    throw new InvariantError(`its own encoding of what it decoded does not decode: ${(err as Error).message}`);
  }
  invariant(isDeepStrictEqual(again, value), 'decode, encode, decode gives another value');
  return value;
}
