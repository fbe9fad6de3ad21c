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
  req2FromXor,
  sharedSecret,
  VC_BYTES,
  type CipherPair,
} from './keys.js';
import { randomPadBytes } from './pads.js';
import type { MseHandshake, MseStep, RandomBytes } from './types.js';

export interface ResponderInit {
  /** Finds the torrent from HASH('req2', SKEY): its info hash, or undefined when we serve no such torrent. */
  findInfoHash: (req2: Buffer) => Buffer | undefined;
  /** Picks one method from the initiator's crypto_provide bits (policy.ts), or 0 when none is acceptable. */
  select: (provide: number) => number;
  random?: RandomBytes;
  /** PadB's length; random in 0..512 when not given (tests fix it). */
  padBBytes?: number;
  /** PadD's length; 0 when not given (MSE: "current implementations may choose to set them to 0-length"). */
  padDBytes?: number;
}

// VC (8) + crypto_provide (4) + len(PadC) (2), the fixed part of step 3 after the two hashes.
const STEP3_HEAD_BYTES = VC_BYTES + 4 + 2;
const HASH_BYTES = 20;

/**
 * The receiving side B of an MSE handshake, as a pure state machine:
 *   1 A->B: Ya, PadA
 *   2 B->A: Yb, PadB                         (sent as soon as Ya is in)
 *   3 A->B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 *   4 B->A: ENCRYPT(VC, crypto_select, len(PadD), PadD)   → done: the payload stream follows
 * Every wait is bounded: Ya is 96 bytes, req1 must start within 512 bytes (PadA), PadC is at most 512 bytes and
 * IA at most 65535 (its 2-byte length).
 */
export class MseResponder implements MseHandshake {
  private readonly queue = new ByteQueue();
  private readonly random: RandomBytes;
  private readonly privateKey: Buffer;
  private state: 'ya' | 'req1' | 'skey' | 'padC' | 'ia' | 'done' = 'ya';
  private secret: Buffer = Buffer.alloc(0);
  private req1: Buffer = Buffer.alloc(0);
  private infoHash: Buffer = Buffer.alloc(0);
  private cipher?: CipherPair;
  private provide = 0;
  private padCBytes = 0;
  private iaBytes = 0;

  constructor(private readonly init: ResponderInit) {
    this.random = init.random ?? randomBytes;
    this.privateKey = this.random(PRIVATE_KEY_BYTES);
  }

  receive(chunk: Buffer): MseStep {
    const step: MseStep = { send: [] };
    if (this.state === 'done') return step;
    this.queue.push(chunk);
    while (this.advance(step));
    return step;
  }

  /** Runs one state if its bytes are in; false when it must wait for more (or is done). */
  private advance(step: MseStep): boolean {
    switch (this.state) {
      case 'ya':
        return this.onYa(step);
      case 'req1':
        return this.onReq1();
      case 'skey':
        return this.onSkey();
      case 'padC':
        return this.onPadC();
      case 'ia':
        return this.onIa(step);
      default:
        return false;
    }
  }

  private onYa(step: MseStep): boolean {
    const ya = this.queue.take(DH_KEY_BYTES);
    if (!ya) return false;
    this.secret = sharedSecret(this.privateKey, ya);
    this.req1 = req1Hash(this.secret);
    const padB = this.init.padBBytes ?? randomPadBytes(this.random);
    step.send.push(Buffer.concat([publicKeyOf(this.privateKey), this.random(padB)]));
    this.state = 'req1';
    return true;
  }

  /** MSE: B resynchronises on HASH('req1', S), which follows PadA (at most 512 bytes). */
  private onReq1(): boolean {
    const window = Math.min(this.queue.length, MAX_PAD_BYTES + HASH_BYTES);
    const at = this.queue.peek(window).indexOf(this.req1);
    if (at < 0) {
      if (window === MAX_PAD_BYTES + HASH_BYTES) throw new MseError('MSE_SYNC', 'no HASH(req1, S) within 512 bytes after Ya: not an MSE handshake, or a wrong key');
      return false;
    }
    this.queue.skip(at + HASH_BYTES);
    this.state = 'skey';
    return true;
  }

  private onSkey(): boolean {
    if (this.queue.length < HASH_BYTES + STEP3_HEAD_BYTES) return false;
    const req2 = req2FromXor(this.queue.take(HASH_BYTES)!, this.secret);
    const infoHash = this.init.findInfoHash(req2);
    if (!infoHash) throw new MseError('MSE_UNKNOWN_TORRENT', 'the peer asked for a torrent we do not serve');
    this.infoHash = infoHash;
    this.cipher = cipherPair(this.secret, infoHash, 'responder');
    const head = this.queue.take(STEP3_HEAD_BYTES)!;
    this.cipher.decrypt.process(head);
    if (!head.subarray(0, VC_BYTES).equals(Buffer.alloc(VC_BYTES))) throw new MseError('MSE_BAD_VC', 'the verification constant did not decrypt to zeros');
    this.provide = head.readUInt32BE(VC_BYTES);
    this.padCBytes = head.readUInt16BE(VC_BYTES + 4);
    if (this.padCBytes > MAX_PAD_BYTES) throw new MseError('MSE_BAD_LENGTH', `PadC of ${this.padCBytes} bytes (at most ${MAX_PAD_BYTES})`);
    this.state = 'padC';
    return true;
  }

  private onPadC(): boolean {
    const bytes = this.queue.take(this.padCBytes + 2);
    if (!bytes) return false;
    this.cipher!.decrypt.process(bytes);
    this.iaBytes = bytes.readUInt16BE(this.padCBytes);
    this.state = 'ia';
    return true;
  }

  private onIa(step: MseStep): boolean {
    const ia = this.queue.take(this.iaBytes);
    if (!ia) return false;
    const cipher = this.cipher!;
    cipher.decrypt.process(ia);
    const selected = this.init.select(this.provide);
    if (selected !== CRYPTO_PLAINTEXT && selected !== CRYPTO_RC4) {
      throw new MseError('MSE_NO_COMMON_METHOD', `the peer offers crypto methods 0x${this.provide.toString(16)}, none of which our encryption policy accepts`);
    }
    const padD = this.init.padDBytes ?? 0;
    const reply = Buffer.alloc(VC_BYTES + 4 + 2 + padD);
    reply.writeUInt32BE(selected, VC_BYTES);
    reply.writeUInt16BE(padD, VC_BYTES + 4);
    cipher.encrypt.process(reply);
    step.send.push(reply);
    const rest = this.queue.rest();
    // MSE: after crypto_select the stream is RC4 only if RC4 was selected; IA itself was always encrypted.
    if (selected === CRYPTO_RC4) cipher.decrypt.process(rest);
    step.done = {
      method: selected === CRYPTO_RC4 ? 'rc4' : 'plaintext',
      infoHash: this.infoHash,
      cipher: selected === CRYPTO_RC4 ? cipher : undefined,
      payload: ia.length === 0 ? rest : Buffer.concat([ia, rest]),
    };
    this.state = 'done';
    return false;
  }
}
