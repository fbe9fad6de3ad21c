import { LabError } from './errors.js';
import type { LabNet } from './netns.js';
import { PROBE_BIN, ProcessSet } from './processes.js';
import { PAYLOAD_PER_FRAME, type ShapingResult } from './types.js';

interface Leg {
  link: string;
  from: { ns: string; ip: string };
  to: { ns: string; ip: string };
  bps: number;
}

/** One TCP transfer of about `seconds` at the link's rate; its payload rate after the first half second. */
async function measure(leg: Leg, seconds: number, signal: AbortSignal): Promise<ShapingResult> {
  const procs = new ProcessSet();
  const bytes = Math.round((leg.bps / 8) * seconds);
  try {
    const recv = procs.start(`probe recv (${leg.link})`, leg.to.ns, [PROBE_BIN, 'recv', '5999', String(bytes), leg.to.ip]);
    await recv.waitFor(/^listening$/, 10_000, signal);
    procs.start(`probe send (${leg.link})`, leg.from.ns, [PROBE_BIN, 'send', leg.to.ip, '5999', String(bytes)]);
    const line = await recv.waitFor(/goodputBps/, (seconds * 3 + 15) * 1000, signal);
    const { goodputBps } = JSON.parse(line) as { goodputBps: number };
    return { link: leg.link, configuredBps: leg.bps, goodputBps, wireRatio: goodputBps / PAYLOAD_PER_FRAME / leg.bps };
  } finally {
    await procs.stopAll(1000);
  }
}

/**
 * Checks each shaped rate with a short transfer before anything is measured: the server's uplink, a client's
 * uplink, and a client's downlink when it is shaped. A link off by more than 10% stops the lab.
 */
export async function checkShaping(net: LabNet, rates: { serverUpBps: number; clientUpBps: number; clientDownBps: number }, signal: AbortSignal, seconds = 2.5): Promise<ShapingResult[]> {
  const c1 = net.clients[0]!;
  const legs: Leg[] = [
    { link: 'server uplink (server → c1)', from: net.server, to: c1, bps: rates.serverUpBps },
    { link: 'client uplink (c1 → server)', from: c1, to: net.server, bps: rates.clientUpBps },
  ];
  if (Number.isFinite(rates.clientDownBps) && rates.clientDownBps < rates.serverUpBps) legs.push({ link: 'client downlink (server → c1)', from: net.server, to: c1, bps: rates.clientDownBps });
  const out: ShapingResult[] = [];
  for (const leg of legs) out.push(await measure(leg, seconds, signal));
  const off = out.find((r) => Math.abs(r.wireRatio - 1) > 0.1);
  if (off) throw new LabError('LAB_NETNS', `shaping check: ${off.link} carried ${off.wireRatio.toFixed(3)} of its configured rate`);
  return out;
}
