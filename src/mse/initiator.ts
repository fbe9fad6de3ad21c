import { randomBytes } from 'node:crypto';
import { ByteQueue } from './byte-queue.js';
import { MseError } from './errors.js';
import {
  cipherPair,
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  DH_KEY_BYTES,
  MAX_PAD_BYTES,
  PRIVATE_KEY_BYTES,
  publicKeyOf,
  req1Hash,
  req2Xor3,
  sharedSecret,
  VC_BYTES,
  type CipherPair,
} from './keys.js';
import { randomPadBytes } from './pads.js';
import type { MseHandshake, MseStep, RandomBytes } from './types.js';

/** MSE: len(IA) is a 2-byte field. */
export const MAX_IA_BYTES = 0xffff;

export interface InitiatorInit {
  /** SKEY: the info hash of the torrent we dial for. */
  infoHash: Buffer;
  /** crypto_provide: CRYPTO_PLAINTEXT and/or CRYPTO_RC4 (policy.ts). */
  provide: number;
  /** IA, sent encrypted with step 3: our BitTorrent handshake, so it costs no extra round trip. */
  initialPayload?: Buffer;
  random?: RandomBytes;
  /** PadA's length; random in 0..512 when not given (tests fix it). */
  padABytes?: number;
  /** PadC's length; 0 when not given (MSE: "current implementations may choose to set them to 0-length"). */
  padCBytes?: number;
}

/**
 * The dialling side A of an MSE handshake, as a pure state machine (the steps are listed on `MseResponder`).
 * `start()` gives step 1; step 3 goes out once Yb is in; the handshake is over once B's crypto_select and PadD are
 * read. A finds the start of step 4 by searching for ENCRYPT(VC) within the 512 bytes PadB may take.
 */
export class MseInitiator implements MseHandshake {
  private readonly queue = new ByteQueue();
  private readonly random: RandomBytes;
  private readonly privateKey: Buffer;
  private state: 'start' | 'yb' | 'vc' | 'select' | 'padD' | 'done' = 'start';
  private cipher?: CipherPair;
  private encryptedVc: Buffer = Buffer.alloc(0);
  private selected = 0;
  private padDBytes = 0;

  constructor(private readonly init: InitiatorInit) {
    if ((init.initialPayload?.length ?? 0) > MAX_IA_BYTES) throw new RangeError('MSE initial payload over 65535 bytes');
    if ((init.provide & (CRYPTO_PLAINTEXT | CRYPTO_RC4)) === 0) throw new RangeError('MSE crypto_provide offers no method');
    this.random = init.random ?? randomBytes;
    this.privateKey = this.random(PRIVATE_KEY_BYTES);
  }

  /** Step 1: Ya and PadA. */
  start(): Buffer {
    if (this.state !== 'start') throw new Error('MseInitiator.start called twice');
    this.state = 'yb';
    const padA = this.init.padABytes ?? randomPadBytes(this.random);
    return Buffer.concat([publicKeyOf(this.privateKey), this.random(padA)]);
  }

  receive(chunk: Buffer): MseStep {
    const step: MseStep = { send: [] };
    if (this.state === 'done' || this.state === 'start') return step;
    this.queue.push(chunk);
    while (this.advance(step));
    return step;
  }

  private advance(step: MseStep): boolean {
    switch (this.state) {
      case 'yb':
        return this.onYb(step);
      case 'vc':
        return this.onVc();
      case 'select':
        return this.onSelect();
      case 'padD':
        return this.onPadD(step);
      default:
        return false;
    }
  }

  /** Step 2 in, step 3 out. */
  private onYb(step: MseStep): boolean {
    const yb = this.queue.take(DH_KEY_BYTES);
    if (!yb) return false;
    const { infoHash, provide } = this.init;
    const secret = sharedSecret(this.privateKey, yb);
    const cipher = cipherPair(secret, infoHash, 'initiator');
    this.cipher = cipher;
    const ia = this.init.initialPayload ?? Buffer.alloc(0);
    const padC = this.init.padCBytes ?? 0;
    const tail = Buffer.alloc(VC_BYTES + 4 + 2 + padC + 2 + ia.length);
    tail.writeUInt32BE(provide, VC_BYTES);
    tail.writeUInt16BE(padC, VC_BYTES + 4);
    tail.writeUInt16BE(ia.length, VC_BYTES + 6 + padC);
    ia.copy(tail, VC_BYTES + 8 + padC);
    cipher.encrypt.process(tail);
    step.send.push(Buffer.concat([req1Hash(secret), req2Xor3(infoHash, secret), tail]));
    // B's ENCRYPT(VC) is its keystream's next 8 bytes (VC is zeros); taking them also moves the stream past VC.
    this.encryptedVc = Buffer.alloc(VC_BYTES);
    cipher.decrypt.process(this.encryptedVc);
    this.state = 'vc';
    return true;
  }

  private onVc(): boolean {
    const window = Math.min(this.queue.length, MAX_PAD_BYTES + VC_BYTES);
    const at = this.queue.peek(window).indexOf(this.encryptedVc);
    if (at < 0) {
      if (window === MAX_PAD_BYTES + VC_BYTES) throw new MseError('MSE_SYNC', 'no ENCRYPT(VC) within 512 bytes after Yb: the peer does not speak MSE for this torrent');
      return false;
    }
    this.queue.skip(at + VC_BYTES);
    this.state = 'select';
    return true;
  }

  private onSelect(): boolean {
    const bytes = this.queue.take(6);
    if (!bytes) return false;
    this.cipher!.decrypt.process(bytes);
    this.selected = bytes.readUInt32BE(0);
    this.padDBytes = bytes.readUInt16BE(4);
    // MSE: crypto_select has exactly one bit set, one of those we provided.
    const ok = (this.selected === CRYPTO_PLAINTEXT || this.selected === CRYPTO_RC4) && (this.selected & this.init.provide) !== 0;
    if (!ok) throw new MseError('MSE_BAD_SELECT', `the peer selected crypto method 0x${this.selected.toString(16)}, which we did not offer`);
    if (this.padDBytes > MAX_PAD_BYTES) throw new MseError('MSE_BAD_LENGTH', `PadD of ${this.padDBytes} bytes (at most ${MAX_PAD_BYTES})`);
    this.state = 'padD';
    return true;
  }

  private onPadD(step: MseStep): boolean {
    const padD = this.queue.take(this.padDBytes);
    if (!padD) return false;
    const cipher = this.cipher!;
    cipher.decrypt.process(padD);
    const rc4 = this.selected === CRYPTO_RC4;
    const rest = this.queue.rest();
    if (rc4) cipher.decrypt.process(rest);
    step.done = { method: rc4 ? 'rc4' : 'plaintext', infoHash: this.init.infoHash, cipher: rc4 ? cipher : undefined, payload: rest };
    this.state = 'done';
    return false;
  }
}
