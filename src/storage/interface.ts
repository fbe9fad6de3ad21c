/**
 * What the swarm needs of storage, and nothing more (STYLE.md 11): read and write at a piece offset, and hash a
 * piece to verify it. Backends: files on disk (`FileStorage`) and memory (`MemoryStorage`), one shared test suite.
 */
export interface PieceStorage {
  /** Opens the backend; with `createFiles`, the files those indexes name are created (sparse) up front. */
  open(createFiles?: Iterable<number>): Promise<void>;
  /** Reads into `into` (at least `length` bytes; a reused buffer) when given, else into a new buffer. */
  read(piece: number, begin: number, length: number, into?: Buffer): Promise<Buffer>;
  write(piece: number, begin: number, data: Buffer): Promise<void>;
  /** SHA-1 of the piece as stored (BEP 3), or undefined when some of its bytes are not there to read. */
  hashPiece(piece: number): Promise<Buffer | undefined>;
  /** Flushes and releases every open handle. */
  close(): Promise<void>;
}
