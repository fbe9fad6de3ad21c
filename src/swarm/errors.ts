import { TandemError } from '../util/errors.js';

export type SwarmErrorCode =
  | 'SWARM_BAD_PEER' // a peer address that is not HOST:PORT
  | 'SWARM_HANDSHAKE' // the peer's handshake was for another torrent, or was from ourselves
  | 'SWARM_TIMEOUT' // a connect, handshake or idle time limit passed
  | 'SWARM_METADATA' // metadata from peers did not match the info hash or did not parse
  | 'SWARM_LISTEN' // the listening port could not be bound
  | 'SWARM_STOPPED'; // the torrent was stopped while an operation waited

export class SwarmError extends TandemError {
  constructor(code: SwarmErrorCode, message: string, kind: 'input' | 'runtime' = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'SwarmError';
  }
}
