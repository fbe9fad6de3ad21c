// Selection of the transfers list, as file managers do it: click selects one, ctrl/cmd toggles one, shift selects
// the range from the anchor in the current order; the focused row is where the keyboard is.

export interface Selection {
  ids: ReadonlySet<number>;
  /** Where a shift-range starts. */
  anchor: number | null;
  /** The row the keyboard is on. */
  focus: number | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null, focus: null };

export interface PickMode {
  toggle: boolean;
  range: boolean;
}

export function pick(sel: Selection, rows: readonly number[], id: number, mode: PickMode): Selection {
  if (mode.range && sel.anchor !== null) {
    const from = rows.indexOf(sel.anchor);
    const to = rows.indexOf(id);
    if (from >= 0 && to >= 0) {
      const ids = new Set(mode.toggle ? sel.ids : []);
      for (let i = Math.min(from, to); i <= Math.max(from, to); i++) ids.add(rows[i]!);
      return { ids, anchor: sel.anchor, focus: id };
    }
  }
  if (mode.toggle) {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id, focus: id };
  }
  return { ids: new Set([id]), anchor: id, focus: id };
}

export function selectAll(rows: readonly number[]): Selection {
  return { ids: new Set(rows), anchor: rows[0] ?? null, focus: rows[0] ?? null };
}

/** Drops ids that are no longer in the node (removed torrents). */
export function prune(sel: Selection, exists: (id: number) => boolean): Selection {
  let gone = false;
  for (const id of sel.ids) if (!exists(id)) gone = true;
  if (!gone && (sel.focus === null || exists(sel.focus))) return sel;
  const ids = new Set([...sel.ids].filter(exists));
  return { ids, anchor: sel.anchor !== null && exists(sel.anchor) ? sel.anchor : null, focus: sel.focus !== null && exists(sel.focus) ? sel.focus : null };
}
