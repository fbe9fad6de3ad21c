import type { CommonFlags } from './output.js';

/** Every flag `get` takes; each source kind (torrent, http, tftp) reads the ones that concern it. */
export interface GetFlags extends CommonFlags {
  output: string;
  peer: string[];
  port?: string;
  /** Addresses to accept peers on (`--listen`, repeatable); every interface when none. */
  listen: string[];
  seed?: boolean;
  dht: boolean;
  dhtBootstrap: string[];
  /** --lsd true, --no-lsd false, neither undefined (on, except under the test guard). */
  lsd?: boolean;
  maxPeers?: string;
  downloadLimit?: string;
  uploadLimit?: string;
  only?: string;
  sequential?: boolean;
  webseeds: boolean;
  webseedMaxRequests?: string;
  blksize?: string;
  windowsize?: string;
  /** --encryption allow|prefer|require (MSE). */
  encryption?: string;
  /** false with --no-swarm: an http(s) URL is downloaded plainly even when its server offers a torrent of it. */
  swarm?: boolean;
}
