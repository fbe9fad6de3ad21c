/**
 * The BitTorrent peer-wire codec: pure functions from bytes to typed messages and back (BEP 3, 6, 9, 10, 11).
 * No sockets, no timers: `swarm/` drives it.
 *
 * @example
 *   const framer = new Framer(maxFrameBytes({ pieceCount }));
 *   framer.push(chunk);
 *   for (let body = framer.next(); body; body = framer.next()) handle(decodeMessage(body, { pieceCount }));
 */
export { Bitfield } from './bitfield.js';
export { WireError, type WireErrorCode } from './errors.js';
export { encodeHandshake, decodeHandshake, HANDSHAKE_BYTES, type Handshake } from './handshake.js';
export { decodeMessage, encodeMessage, encodePieceHeader, maxFrameBytes, MessageId, MAX_BLOCK_BYTES, MAX_EXTENDED_BYTES, type Message, type WireLimits } from './messages.js';
export { Framer } from './framer.js';
export { decodeExtendedHandshake, encodeExtendedHandshake, EXTENDED_HANDSHAKE_ID, LOCAL_EXTENSIONS, MAX_METADATA_BYTES, type ExtendedHandshake } from './bep10-extended.js';
export { decodeMetadataMessage, encodeMetadataMessage, metadataPieceCount, METADATA_PIECE_BYTES, type MetadataMessage } from './bep9-metadata.js';
export { decodePex, encodePex, decodeCompactPeers, encodeCompactPeers, MAX_PEX_PEERS, type PexMessage, type PeerAddress } from './bep11-pex.js';
