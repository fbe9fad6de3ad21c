/** What the choker knows of a peer. Rates are bytes per second, measured over the last few seconds. */
export interface ChokeCandidate {
  id: string;
  /** The peer wants what we have. */
  interested: boolean;
  /** How fast the peer sends to us (tit-for-tat ranks by this while we download). */
  downloadRate: number;
  /** How fast we send to the peer (seeding ranks by this: serve those who take data fastest). */
  uploadRate: number;
}

export interface ChokeOptions {
  slots: number;
  seeding: boolean;
  /** The current optimistic unchoke, kept unchoked whatever its rank. */
  optimistic?: string;
}

/**
 * BEP 3 choking as a pure function (STYLE.md 9): rank the interested peers and unchoke the best `slots - 1`, plus
 * the optimistic one. While downloading, the best are those that send us most (tit-for-tat); while seeding, those we
 * upload to fastest. A timer elsewhere calls it every round.
 */
export function chooseUnchoked(peers: ChokeCandidate[], options: ChokeOptions): Set<string> {
  const interested = peers.filter((p) => p.interested);
  const rate = (p: ChokeCandidate): number => (options.seeding ? p.uploadRate : p.downloadRate);
  const ranked = [...interested].sort((a, b) => rate(b) - rate(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const regular = Math.max(0, options.slots - (options.optimistic ? 1 : 0));
  const out = new Set(ranked.filter((p) => p.id !== options.optimistic).slice(0, regular).map((p) => p.id));
  if (options.optimistic && interested.some((p) => p.id === options.optimistic)) out.add(options.optimistic);
  return out;
}

/** BEP 3 optimistic unchoke: a random interested peer that the ranking left choked. */
export function pickOptimistic(peers: ChokeCandidate[], unchoked: Set<string>, random: () => number): string | undefined {
  const choices = peers.filter((p) => p.interested && !unchoked.has(p.id));
  if (choices.length === 0) return undefined;
  return choices[Math.floor(random() * choices.length)]!.id;
}
