/**
 * Bencoded values as tandem holds them. Byte strings stay bytes (a `Buffer` view into the input, no copy);
 * dictionary keys are held as latin1 strings, which map each byte to one char, so any key survives a round trip
 * and comparing two keys as strings compares their raw bytes.
 */
export type BValue = number | bigint | Buffer | BValue[] | BDict;
export type BDict = Map<string, BValue>;

/** What the encoder also accepts, for convenience when building values in code. */
export type BInput = number | bigint | string | Uint8Array | BInput[] | Map<string, BInput> | { [key: string]: BInput | undefined };

export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}

export function isList(v: BValue | undefined): v is BValue[] {
  return Array.isArray(v);
}

export function isBytes(v: BValue | undefined): v is Buffer {
  return Buffer.isBuffer(v);
}

export function isInt(v: BValue | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** A key as held in a `BDict` for the given text (UTF-8 bytes seen as latin1). */
export function dictKey(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The raw bytes of a dictionary key. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}
