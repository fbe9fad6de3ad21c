// The focused torrent's full detail (files, peers, trackers, pieces). Fetched when the torrent is chosen and
// again, at most once a second, when the event stream says it changed: live without a polling loop.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../../api/rpc.js';
import { notices } from '../notices.js';
import type { TorrentDetail, TorrentSummary } from '../../../../src/node/types.js';

const MIN_INTERVAL_MS = 1_000;

export function useDetail(summary: TorrentSummary): [TorrentDetail | null, () => void] {
  const [detail, setDetail] = useState<TorrentDetail | null>(null);
  const state = useRef({ id: -1, inFlight: false, again: false, lastAt: 0, timer: 0 as ReturnType<typeof setTimeout> | 0 });

  const fetchNow = (): void => {
    const s = state.current;
    if (s.inFlight) {
      s.again = true;
      return;
    }
    s.inFlight = true;
    s.lastAt = Date.now();
    const id = s.id;
    call('torrent.get', { id })
      .then((d) => { if (state.current.id === id) setDetail(d); })
      .catch((err: unknown) => notices.error(err, 'Details'))
      .finally(() => {
        s.inFlight = false;
        if (s.again) {
          s.again = false;
          schedule();
        }
      });
  };
  const schedule = (): void => {
    const s = state.current;
    if (s.timer) return;
    const wait = Math.max(0, s.lastAt + MIN_INTERVAL_MS - Date.now());
    s.timer = setTimeout(() => {
      s.timer = 0;
      fetchNow();
    }, wait);
  };

  useEffect(() => {
    state.current.id = summary.id;
    setDetail(null);
    fetchNow();
  }, [summary.id]);
  // A new summary object means an event changed this torrent.
  useEffect(() => {
    if (state.current.lastAt) schedule();
  }, [summary]);
  useEffect(() => () => clearTimeout(state.current.timer || undefined), []);
  return [detail, schedule];
}
