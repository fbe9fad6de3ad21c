/**
 * When each client's uplink got busy: start-up, seen from the wire. A client's upload counter also carries the TCP
 * acknowledgements and requests of its own download (a few % of its link), so "busy" means a sample interval in
 * which it sent at least half its link's rate; the time given is the end of the first such interval, from launch.
 * Pure: the counters' series in, seconds out.
 */
import type { UploadSeries } from './types.js';

/** The share of its link rate a host must send at, over one sample interval, to count as busy. */
export const BUSY_FRACTION = 0.5;

/** Seconds from launch to the end of the first interval in which `bytes` grew at `fraction` × `bps` or more. */
export function busyFromSeconds(tSeconds: number[], bytes: number[], bps: number, fraction = BUSY_FRACTION): number | undefined {
  for (let i = 1; i < tSeconds.length && i < bytes.length; i++) {
    const dt = tSeconds[i]! - tSeconds[i - 1]!;
    if (dt > 0 && ((bytes[i]! - bytes[i - 1]!) * 8) / dt >= fraction * bps) return tSeconds[i];
  }
  return undefined;
}

/** The server's busy-from time (NaN if its uplink never got busy). */
export function serverBusyFrom(series: UploadSeries, serverBps: number): number {
  const server = series.hosts.find((h) => h.name === 'server');
  return (server && busyFromSeconds(series.tSeconds, server.bytes, serverBps)) ?? NaN;
}

/** Each client's busy-from time (NaN for one that never was: a client-server client uploads nothing). */
export function clientsBusyFrom(series: UploadSeries, clientBps: number): number[] {
  return series.hosts.filter((h) => h.name !== 'server').map((h) => busyFromSeconds(series.tSeconds, h.bytes, clientBps) ?? NaN);
}
