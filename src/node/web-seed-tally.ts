/** A web seed's bytes as the running swarm counts them (since the torrent's last start). */
export type LiveWebSeed = { url: string; bytes: number; inFlight: number };

/**
 * Each web seed's bytes over the torrent's life: the totals stored in the database plus what the running swarm
 * got since they were last folded in. The swarm's own counts restart at every start of the torrent, so the tally
 * remembers how much of them is already stored (`reset` at each start).
 */
export class WebSeedTally {
  private readonly counted = new Map<string, number>();

  reset(): void {
    this.counted.clear();
  }

  /** The stored totals with the new bytes folded in, or undefined when no web seed sent anything new. */
  fold(stored: Readonly<Record<string, number>>, live: LiveWebSeed[] | undefined): Record<string, number> | undefined {
    let out: Record<string, number> | undefined;
    for (const s of live ?? []) {
      const delta = s.bytes - (this.counted.get(s.url) ?? 0);
      if (delta <= 0) continue;
      out ??= { ...stored };
      out[s.url] = (out[s.url] ?? 0) + delta;
      this.counted.set(s.url, s.bytes);
    }
    return out;
  }

  /** Lifetime bytes of all the web seeds together, folded or not (a torrent's summary: no map built). */
  total(stored: Readonly<Record<string, number>>, live: LiveWebSeed[] | undefined): number {
    let bytes = 0;
    for (const url in stored) bytes += stored[url]!;
    for (const s of live ?? []) bytes += s.bytes - (this.counted.get(s.url) ?? 0);
    return bytes;
  }

  /** Lifetime bytes per web seed URL, folded or not. */
  current(stored: Readonly<Record<string, number>>, live: LiveWebSeed[] | undefined): Map<string, number> {
    const out = new Map(Object.entries(stored));
    for (const s of live ?? []) out.set(s.url, (out.get(s.url) ?? 0) + s.bytes - (this.counted.get(s.url) ?? 0));
    return out;
  }
}
