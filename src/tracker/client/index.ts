/**
 * The tracker client's face: what a torrent needs to announce (BEP 3, 12, 15) without the tracker server. The
 * folder's `index.ts` exports this and the server side together.
 */
export { TrackerClient, type TrackerClientEvents, type TrackerClientInit, type TrackerClientComponents } from './tracker-client.js';
export { httpAnnounce, httpScrape } from './http-client.js';
export { UdpTrackerClient } from './udp-client.js';
export { parseHostPort } from '../host-port.js';
