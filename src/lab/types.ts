import type { Mode } from './units.js';
import type { TraceSummary } from './trace-analysis.js';

/** What one experiment is run with; rates in bits per second, sizes in bytes. */
export interface LabParams {
  clients: number[];
  modes: Mode[];
  sizeBytes: number;
  serverUpBps: number;
  clientUpBps: number;
  /** Infinity when the clients' downlinks are not shaped. */
  clientDownBps: number;
  queueMs: number;
  pieceLengthBytes: number;
  reps: number;
}

/** Each host's upload over time: cumulative bytes at each sample. */
export interface UploadSeries {
  tSeconds: number[];
  hosts: { name: string; bytes: number[] }[];
}

/** One measured (or simulated) run. */
export interface RunRecord {
  mode: Mode;
  clients: number;
  rep: number;
  /** Distribution time: launch of the clients to the last one done. */
  dSeconds: number;
  boundSeconds: number;
  /** D over the mode's bound (D_cs for cs, D_p2p otherwise). */
  ratio: number;
  /**
   * Bytes the server's uplink carried by its veth counter. The kernel counts a GSO segment of up to 64 KiB once, with
   * one set of headers, so this is close to the payload (TCP/IP headers of the frames on a real wire not included).
   */
  serverWireBytes: number;
  /** The server's bytes in copies of the file (counter bytes / F). */
  serverCopies: number;
  /** What the clients received, in copies of the file each (1 when no byte came twice; headers included). */
  clientCopies: number;
  serverUtil: number;
  clientUtil: number;
  cpuSeconds: number;
  /** Seconds from launch to each client's done, client 1 first. */
  finishSeconds: number[];
  /**
   * Seconds from launch until each client's uplink first ran at half its rate (`busy-from.ts`), client 1 first; NaN
   * for a client that never did. Empty when not measured (a simulation, a CSV from before the column).
   */
  busyFromSeconds: number[];
  /**
   * Seconds from launch to each client's `ready` record (its process up, the torrent read, its files checked),
   * client 1 first; NaN for a client that printed none (the reference programs). Empty when not measured.
   */
  readySeconds: number[];
  /** Seconds from launch until the server's uplink first ran at half its rate; NaN when never or not measured. */
  serverBusyFromSeconds: number;
  /** Every copy had the file's sha256. */
  sha256Ok: boolean;
  series?: UploadSeries;
  /** With `--trace`: where the run's time went, from every tandem process's piece timeline. */
  trace?: TraceSummary;
}

/** One rate of the shaping check. */
export interface ShapingResult {
  link: string;
  configuredBps: number;
  /** TCP payload rate measured after the first half second. */
  goodputBps: number;
  /** The wire rate that payload implies (× 1514/1448) over the configured rate. */
  wireRatio: number;
}

/** Payload bytes per full Ethernet frame: 1448 of 1514 with TCP timestamps. */
export const PAYLOAD_PER_FRAME = 1448 / 1514;

/**
 * Uplink utilisation from counter bytes: what the frames of those bytes would take on the wire (× 1514/1448: the
 * veth counters see GSO segments, close to payload, while HTB meters every frame's headers) over rate × time.
 */
export function utilisation(counterBytes: number, bps: number, seconds: number): number {
  return (counterBytes * 8) / PAYLOAD_PER_FRAME / (bps * seconds);
}
