// Fuzz targets for what a peer sends: peer-wire frames and handshake, the extension messages, and MSE.
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, MseInitiator, MseResponder, selectFor } from '../../src/mse/index.js';
import {
  decodeExtendedHandshake,
  decodeHandshake,
  decodeMessage,
  decodeMetadataMessage,
  decodePex,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePex,
  Framer,
} from '../../src/wire/index.js';
import { registry, seeded, transcriptOf } from '../helpers/mse-roles.js';
import { invariant, roundTrip, type FuzzTarget } from './target.js';

const INFO = Buffer.alloc(20, 0x42);
const HANDSHAKE = encodeHandshake({ infoHash: INFO, peerId: Buffer.alloc(20, 1), extended: true, fast: true, dht: true });
const PIECES = 9;

const extHandshake = encodeExtendedHandshake({ m: new Map([['ut_metadata', 3], ['ut_pex', 2]]), metadataSize: 100, yourip: Buffer.alloc(4), p: 6881, v: 'tandem', reqq: 250 });
const metadata = [encodeMetadataMessage({ type: 'data', piece: 0, totalSize: 5, data: Buffer.from('abcde') }), encodeMetadataMessage({ type: 'request', piece: 1 }), encodeMetadataMessage({ type: 'reject', piece: 2 })];
const pex = encodePex({ added: [{ host: '1.2.3.4', port: 5 }, { host: '::1', port: 6 }], dropped: [{ host: '5.6.7.8', port: 9 }] });
const BENCODE_TOKENS = ['i0e', 'i-1e', 'le', 'de', '0:', 'd', 'l', 'e', ':', '1:m', '8:msg_type', '5:piece', '10:total_size', '5:added'];

/** Frames without their 4-byte length, as the framer hands them to `decodeMessage`. */
const frames = [
  encodeMessage({ type: 'request', index: 1, begin: 0, length: 16384 }),
  encodeMessage({ type: 'bitfield', bytes: Buffer.from([0xff, 0x80]) }),
  encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(40) }),
  encodeMessage({ type: 'have', index: 3 }),
  encodeMessage({ type: 'extended', id: 0, payload: extHandshake }),
];

/** The responder's and initiator's honest transcripts, made once with fixed randomness. */
const responderFor = (): MseResponder => new MseResponder({ findInfoHash: registry([INFO]), select: (p) => selectFor('allow', p), random: seeded(9) });
const initiatorFor = (): MseInitiator => new MseInitiator({ infoHash: INFO, provide: CRYPTO_PLAINTEXT | CRYPTO_RC4, initialPayload: HANDSHAKE, random: seeded(7) });
const mse = transcriptOf(initiatorFor(), responderFor());

/** Feeds `input` to an MSE role in chunks of 1 to 200 bytes (chosen by the first byte), until it finishes. */
function feedMse(role: MseInitiator | MseResponder, input: Buffer): void {
  const chunk = 1 + ((input[0] ?? 0) % 200);
  for (let o = 0; o < input.length; o += chunk) if (role.receive(Buffer.from(input.subarray(o, o + chunk))).done) return;
}

export const peerTargets: FuzzTarget[] = [
  {
    name: 'wire-message',
    about: 'peer-wire (BEP 3, 6, 10) frames through the framer and decodeMessage; a decoded message re-encodes to its frame',
    seeds: () => [Buffer.concat(frames)],
    tokens: ['\x00\x00\x00\x00', '\x00\x00\x00\x01', '\x00\x00\x40\x09', '\xff\xff\xff\xff', '\x07', '\x14'],
    maxRandomBytes: 512,
    run(input) {
      const framer = new Framer(70_000);
      framer.push(input);
      for (let body = framer.next(), n = 0; body && n < 100; body = framer.next(), n++) {
        const m = decodeMessage(body, { pieceCount: PIECES });
        invariant(encodeMessage(m).subarray(4).equals(body), `${m.type} does not re-encode to its frame`);
      }
    },
  },
  {
    name: 'wire-handshake',
    about: 'the 68-byte BitTorrent handshake',
    seeds: () => [HANDSHAKE],
    run: (input) => roundTrip(input, decodeHandshake, encodeHandshake),
  },
  {
    name: 'ext-handshake',
    about: 'the BEP 10 extension handshake',
    seeds: () => [extHandshake],
    tokens: BENCODE_TOKENS.concat(['4:reqq', '6:yourip', '13:metadata_size', '1:v']),
    run: (input) => roundTrip(input, decodeExtendedHandshake, encodeExtendedHandshake),
  },
  {
    name: 'ut-metadata',
    about: 'BEP 9 metadata messages (a bencoded head, then raw data)',
    seeds: () => metadata,
    tokens: BENCODE_TOKENS,
    run: (input) => roundTrip(input, decodeMetadataMessage, encodeMetadataMessage),
  },
  {
    name: 'ut-pex',
    about: 'BEP 11 peer exchange messages',
    seeds: () => [pex],
    tokens: BENCODE_TOKENS.concat(['6:added6', '7:dropped', '7:added.f']),
    run: (input) => roundTrip(input, decodePex, encodePex),
  },
  {
    name: 'mse-responder',
    about: 'MSE (protocol encryption) responder fed a mutated initiator transcript',
    seeds: () => [mse.toResponder],
    maxRandomBytes: 1400,
    run: (input) => feedMse(responderFor(), input),
  },
  {
    name: 'mse-initiator',
    about: 'MSE initiator fed a mutated responder transcript',
    seeds: () => [mse.toInitiator],
    maxRandomBytes: 1400,
    run(input) {
      const init = initiatorFor();
      init.start();
      feedMse(init, input);
    },
  },
];
