// State and label filters, the name search, and (on a narrow screen, where the columns are hidden) the sort.
import type { JSX } from 'preact';
import { COLUMNS } from './columns.js';
import { STATE_FILTERS, type SortKey, type StateFilter, type ViewParams } from '../store/view.js';

export interface FilterBarProps {
  params: ViewParams;
  onParams: (p: ViewParams) => void;
  states: ReadonlyMap<StateFilter, number>;
  labels: string[];
  shown: number;
  compact: boolean;
}

export function FilterBar({ params, onParams, states, labels, shown, compact }: FilterBarProps): JSX.Element {
  const set = (change: Partial<ViewParams>): void => onParams({ ...params, ...change });
  return (
    <div class="filters" role="search">
      <label class="field">
        <span>State</span>
        <select value={params.state} onChange={(e) => set({ state: e.currentTarget.value as StateFilter })}>
          {STATE_FILTERS.map((f) => (
            <option key={f.value} value={f.value}>{`${f.label} (${states.get(f.value) ?? 0})`}</option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Label</span>
        <select value={params.label} onChange={(e) => set({ label: e.currentTarget.value })}>
          <option value="">Any</option>
          {labels.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
      </label>
      {compact && (
        <label class="field">
          <span>Sort</span>
          <select value={`${params.sortKey}:${params.descending ? 'd' : 'a'}`} onChange={(e) => {
            const [key, dir] = e.currentTarget.value.split(':');
            set({ sortKey: key as SortKey, descending: dir === 'd' });
          }}>
            {COLUMNS.flatMap((c) => [
              <option key={`${c.key}:a`} value={`${c.key}:a`}>{`${c.title} ▴`}</option>,
              <option key={`${c.key}:d`} value={`${c.key}:d`}>{`${c.title} ▾`}</option>,
            ])}
          </select>
        </label>
      )}
      <label class="field grow">
        <span>Search</span>
        <input type="search" placeholder="Name…" value={params.search} onInput={(e) => set({ search: e.currentTarget.value })} />
      </label>
      <span class="shown" aria-live="polite">{shown} shown</span>
    </div>
  );
}
