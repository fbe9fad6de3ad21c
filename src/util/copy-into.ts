/**
 * Copies `source` into `target` at `offset`, and returns how many bytes it copied (all of `source`, or what fits).
 *
 * Why not `source.copy(target, offset)`: a downloaded piece is assembled in shared memory (`swarm/piece-buffers.ts`,
 * so that the hash and disk threads read it in place), and V8 copies into a SharedArrayBuffer with a relaxed atomic
 * memmove, which goes byte by byte when the two addresses are not aligned alike. A block's bytes start 13 bytes into
 * its peer-wire frame, so they never are: 16 KiB blocks copied at about 3 GB/s instead of 12 (measured on the project
 * VM), and in a swarm of one seed and four leechers on loopback that memmove was 5% of all the CPU (`perf`).
 * `Buffer#fill` with a buffer value of exactly the range's length is one plain `memcpy` in Node's C++.
 */
export function copyInto(target: Buffer, source: Buffer, offset: number): number {
  const n = Math.min(source.length, target.length - offset);
  if (n <= 0) return 0;
  target.fill(n === source.length ? source : source.subarray(0, n), offset, offset + n);
  return n;
}
