// One parsed HTTP announce (BEP 3, compact BEP 23, peers6 BEP 7) recorded in the tracker core and turned into the
// reply value: shared by `tandem tracker`'s HTTP face and the tracker `serve --seed` mounts on its file server,
// which differ only in how they refuse and frame an answer (and the mount adds its own peer to it).
import type { AnnounceReply, ServerAnnounce } from '../http-codec.js';
import type { StoreAnnounceResult } from '../store/store.js';
import type { TrackerCore } from './core.js';

/**
 * Records `request`, announced from the compact address `addr` (6 or 18 bytes), and returns the reply to encode:
 * at once when the store answers at once.
 */
export function answerHttpAnnounce(core: TrackerCore, request: ServerAnnounce, addr: Buffer, passkey: string | undefined): AnnounceReply | Promise<AnnounceReply> {
  const result = core.announce(
    {
      infoHash: request.infoHash,
      peerId: request.peerId,
      addr,
      left: request.left,
      event: request.event,
      numwant: request.numwant,
      families: 'both',
      passkey,
      withPeerIds: !request.compact && !request.noPeerId,
    },
    'http',
  );
  return result instanceof Promise ? result.then((r) => replyOf(core, r)) : replyOf(core, result);
}

function replyOf(core: TrackerCore, result: StoreAnnounceResult): AnnounceReply {
  return {
    intervalS: core.config.announceIntervalS,
    minIntervalS: core.config.minAnnounceIntervalS,
    complete: result.complete,
    incomplete: result.incomplete,
    downloaded: result.downloaded,
    v4: result.peers4,
    v6: result.peers6,
    v4Ids: result.ids4,
    v6Ids: result.ids6,
  };
}
