import type { Torrent } from '../swarm/index.js';
import type { SwarmEvents } from './types.js';

export type EmitSwarmEvent = <K extends keyof SwarmEvents>(event: K, detail: SwarmEvents[K]) => void;

/**
 * Passes a swarm's events on as the node's, each naming its torrent by id. What the node itself does on them
 * (status, database, the queue) is wired in `TorrentEntry`; this is only the view a face follows.
 */
export function forwardSwarmEvents(id: number, torrent: Torrent, emit: EmitSwarmEvent): void {
  torrent.on('metadata', ({ name, pieceCount }) => emit('swarm:metadata', { id, name, pieceCount }));
  torrent.on('ready', ({ piecesHave, source }) => emit('swarm:ready', { id, piecesHave, source }));
  torrent.on('stats', (stats) => emit('swarm:progress', { id, stats }));
  torrent.on('done', (stats) => emit('swarm:done', { id, stats }));
  torrent.on('warning', ({ message }) => emit('swarm:warning', { id, message }));
  torrent.on('peer:connect', (p) => emit('peer:connect', { id, ...p }));
  torrent.on('peer:disconnect', (p) => emit('peer:disconnect', { id, ...p }));
  torrent.on('peer:banned', (p) => emit('peer:banned', { id, ...p }));
  torrent.webSeeds.on('warning', (w) => emit('webseed:warning', { id, ...w }));
}
