// A scrolling box that puts only the visible rows (plus a few) in the DOM: 10,000 torrents or 20,000 files cost
// the same as forty. Rows have one fixed height, so positions are arithmetic and nothing is measured per row.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';
import { useHeight } from './hooks.js';

const OVERSCAN = 6;

export interface VirtualListProps extends Omit<JSX.HTMLAttributes<HTMLDivElement>, 'ref'> {
  count: number;
  rowHeight: number;
  renderRow: (index: number, style: JSX.CSSProperties) => ComponentChildren;
  /** Scrolled into view when it changes (the keyboard's row). */
  scrollTo?: number;
  /** Called after each commit with how many rows are in the DOM. */
  onRendered?: (rows: number) => void;
  header?: ComponentChildren;
}

export function VirtualList({ count, rowHeight, renderRow, scrollTo, onRendered, header, ...rest }: VirtualListProps): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const height = useHeight(box);
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + Math.max(height, rowHeight * 10)) / rowHeight) + OVERSCAN);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || scrollTo === undefined || scrollTo < 0) return;
    const headerHeight = el.firstElementChild !== el.lastElementChild ? (el.firstElementChild as HTMLElement).offsetHeight : 0;
    const y = scrollTo * rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + rowHeight > el.scrollTop + el.clientHeight - headerHeight) el.scrollTop = y + rowHeight - el.clientHeight + headerHeight;
  }, [scrollTo, rowHeight]);

  useLayoutEffect(() => onRendered?.(last - first));

  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, { transform: `translateY(${i * rowHeight}px)`, height: `${rowHeight}px` }));
  return (
    <div {...rest} ref={box} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      {header}
      <div role="rowgroup" class="vl-body" style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
