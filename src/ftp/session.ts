/**
 * One FTP control connection (RFC 959 §5.4): a state machine fed by the codec. Commands are answered one at a time
 * in order; a transfer runs in the background so that ABOR, STAT and QUIT can reach it (RFC 959 §4.1.3), and any
 * other command waits for its end. The session owns its control socket, its data channel and its timers, and
 * releases all of them in `close()`.
 *
 * Hostile input is bounded here: line length, lines queued unanswered, error replies in a row, login failures,
 * idle time; `AUTH TLS` drops whatever was sent after it before the handshake (RFC 4217 §4, CVE-2011-1575).
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { LineSplitter, formatReply, parseCommand, type Command } from './codec.js';
import { COMMANDS, VERBS } from './commands.js';
import { DataChannel, DataFailure } from './data-channel.js';
import type { MlstFact } from './listing.js';
import { MLST_FACTS } from './listing.js';
import type { FtpEvent, SessionConfig } from './session-config.js';

/** Where a session stands; commands read and change it. */
export interface SessionState {
  /** USER given, PASS not yet. */
  pendingUser: string | undefined;
  user: string | undefined;
  /** True for the `--auth` user on a server with `--ftp-write`; anonymous sessions never write. */
  mayWrite: boolean;
  loginFailures: number;
  cwd: string[];
  type: 'A' | 'I';
  /** REST offset for the next RETR or STOR (RFC 3659 §5). */
  restOffset: number;
  /** RNFR's real entry path and its display path, for RNTO (RFC 959 §4.1.3). */
  renameFrom: { path: string; shown: string } | undefined;
  tls: boolean;
  pbsz: boolean;
  prot: 'C' | 'P';
  /** `EPSV ALL` (RFC 2428 §4): PORT, EPRT and PASV are refused from then on. */
  epsvAll: boolean;
  facts: MlstFact[];
}

type Transfer = { controller: AbortController; done: Promise<void> };

/** Commands that reach a running transfer; any other (QUIT too, RFC 959 §4.1.1) waits for it to end. */
const DURING_TRANSFER = new Set(['ABOR', 'STAT']);

export class Session {
  readonly state: SessionState = {
    pendingUser: undefined,
    user: undefined,
    mayWrite: false,
    loginFailures: 0,
    cwd: [],
    type: 'A',
    restOffset: 0,
    renameFrom: undefined,
    tls: false,
    pbsz: false,
    prot: 'C',
    epsvAll: false,
    facts: [...MLST_FACTS],
  };
  readonly data: DataChannel;
  readonly remote: string;
  private readonly local: string;
  private socket: Socket;
  private readonly lines: LineSplitter;
  private readonly queue: string[] = [];
  private pumping = false;
  private closed = false;
  private errorsInRow = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private transfer: Transfer | undefined;
  private tlsContext: SecureContext | undefined;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: Socket,
    readonly cfg: SessionConfig,
    private readonly emit: (e: FtpEvent) => void,
  ) {
    this.socket = socket;
    this.remote = socket.remoteAddress ?? '?';
    this.lines = new LineSplitter(cfg.maxLineBytes);
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    this.local = socket.localAddress ?? '127.0.0.1';
    this.data = new DataChannel({ remoteAddress: this.remote, localAddress: this.local }, cfg.data, (address) =>
      this.emit({ event: 'ftp:refused', remote: this.remote, reason: `passive data connection from ${address}` }),
    );
  }

  /** Sends the greeting (after the handshake under implicit FTPS) and starts reading commands. */
  start(implicitContext?: SecureContext): void {
    this.socket.on('error', () => this.close());
    this.socket.on('close', () => this.close());
    if (implicitContext) {
      this.tlsContext = implicitContext;
      this.upgrade(implicitContext, () => {
        this.state.pbsz = false;
        this.greet();
      });
      return;
    }
    this.greet();
  }

  private greet(): void {
    this.socket.on('data', this.onData);
    this.socket.resume();
    this.reply(220, this.cfg.banner);
    this.touch();
  }

  reply(code: number, text: string | readonly string[]): void {
    this.replies([[code, text]]);
  }

  /** Replies in one write, one packet: a transfer over before its 150 has left sends the 150 and 226 together. */
  replies(list: readonly (readonly [number, string | readonly string[]])[]): void {
    if (this.closed) return;
    let out = '';
    for (const [code, text] of list) {
      this.errorsInRow = code >= 500 ? this.errorsInRow + 1 : 0;
      out += formatReply(code, text);
    }
    this.socket.write(out);
    if (this.errorsInRow >= this.cfg.maxConsecutiveErrors) this.closeWith(421, 'Too many errors; closing the connection');
  }

  /** Replies, then closes the control connection once the reply is written. */
  closeWith(code: number, text: string): void {
    if (this.closed) return;
    this.socket.write(formatReply(code, text));
    this.socket.end();
    this.close();
  }

  get localAddress(): string {
    return this.local;
  }

  get realRoot(): string {
    return this.cfg.realRoot;
  }

  get tlsConfigured(): boolean {
    return this.cfg.tls !== undefined;
  }

  /** This control connection's TLS context: one per session, so a resumed data session proves it came from here. */
  context(): SecureContext {
    this.tlsContext ??= this.cfg.tls!.newContext();
    return this.tlsContext;
  }

  /** AUTH TLS (RFC 4217 §4): the 234 is written in the clear, then everything queued or buffered is dropped. */
  startTls(): void {
    this.socket.write(formatReply(234, 'AUTH TLS successful'));
    this.queue.length = 0;
    this.lines.discard();
    this.socket.off('data', this.onData);
    this.upgrade(this.context(), () => {
      this.state.pendingUser = undefined;
      this.socket.on('data', this.onData);
    });
  }

  private upgrade(context: SecureContext, then: () => void): void {
    const tls = new TLSSocket(this.socket, { isServer: true, secureContext: context });
    this.socket = tls;
    const timer = setTimeout(() => tls.destroy(), this.cfg.tlsHandshakeTimeoutMs);
    timer.unref();
    tls.on('error', () => this.close());
    tls.on('close', () => this.close());
    tls.once('secure', () => {
      clearTimeout(timer);
      this.state.tls = true;
      this.emit({ event: 'ftp:tls', remote: this.remote, protocol: tls.getProtocol() ?? '?' });
      then();
    });
  }

  private receive(chunk: Buffer): void {
    const { lines, tooLong } = this.lines.push(chunk);
    this.queue.push(...lines);
    if (tooLong) return this.closeWith(500, 'Command line too long');
    if (this.queue.length > this.cfg.maxQueuedCommands) return this.closeWith(421, 'Too many commands at once');
    this.pump();
  }

  /**
   * Answers the queued commands in order, one at a time. A command answered at once (most are) is followed by the
   * next in the same turn, with no promise in between; one that waits (for a running transfer, a file-system
   * change, a login delay) resumes the pump when it is done.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    for (let line = this.queue.shift(); line !== undefined && !this.closed; line = this.queue.shift()) {
      this.touch();
      const waiting = this.execute(line);
      if (waiting) {
        const resume = (): void => {
          this.pumping = false;
          this.pump();
        };
        waiting.then(resume, (err: unknown) => {
          this.cfg.onError?.(err);
          resume();
        });
        return;
      }
    }
    this.pumping = false;
  }

  private execute(line: string): Promise<void> | void {
    const cmd = parseCommand(line);
    if (cmd && this.transfer && !DURING_TRANSFER.has(cmd.verb)) return this.transfer.done.then(() => this.dispatch(cmd));
    return this.dispatch(cmd);
  }

  private dispatch(cmd: Command | undefined): Promise<void> | void {
    if (this.closed) return;
    if (!cmd) return this.reply(500, 'Syntax error, command unrecognized');
    const spec = COMMANDS.get(cmd.verb);
    if (!spec) return this.reply(502, `${cmd.verb} not implemented`);
    if (spec.login && !this.state.user) return this.reply(530, 'Please log in with USER and PASS');
    if (spec.write && !this.state.mayWrite) return this.reply(550, 'Permission denied');
    // RFC 959 §4.1.3: RNTO must come right after RNFR.
    if (cmd.verb !== 'RNTO') this.state.renameFrom = undefined;
    try {
      const running = spec.run(this, cmd.arg, VERBS);
      if (running instanceof Promise) return running.catch(this.failed);
    } catch (err) {
      this.failed(err);
    }
  }

  /** A command that threw: 451, and the error to the server's owner (it is a bug or a system failure). */
  private readonly failed = (err: unknown): void => {
    this.cfg.onError?.(err);
    this.reply(451, 'Local error in processing');
  };

  /** True while a transfer runs. */
  get transferring(): boolean {
    return this.transfer !== undefined;
  }

  /**
   * Runs a transfer in the background after its 150 reply; the final reply (226, or 425/426/451/522) comes from
   * `body`'s outcome. ABOR aborts the signal.
   */
  runTransfer(body: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = body(controller.signal)
      .catch((err: unknown) => {
        if (err instanceof DataFailure) this.reply(err.replyCode, err.replyText);
        else {
          this.cfg.onError?.(err);
          this.reply(451, 'Local error in processing');
        }
      })
      .finally(() => {
        this.transfer = undefined;
        this.touch();
      });
    this.transfer = { controller, done };
  }

  /** ABOR (RFC 959 §4.1.3): 426 for the transfer, then 226; or 226 alone when nothing runs. */
  async abort(): Promise<void> {
    const t = this.transfer;
    this.data.reset();
    if (!t) return this.reply(226, 'No transfer to abort');
    t.controller.abort();
    await t.done;
    this.reply(226, 'ABOR successful');
  }

  log(e: FtpEvent): void {
    this.emit(e);
  }

  /** Idle control connections close (RFC 959 §5.4 leaves the time to the server); a running transfer holds it open. */
  private touch(): void {
    if (this.closed) return;
    if (this.idleTimer) this.idleTimer.refresh(); // once per command: one timer, restarted
    else {
      this.idleTimer = setTimeout(() => (this.transfer ? this.touch() : this.closeWith(421, 'Idle timeout; closing the connection')), this.cfg.idleTimeoutMs);
      this.idleTimer.unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.transfer?.controller.abort();
    this.data.reset();
    this.queue.length = 0;
    if (!this.socket.writableEnded) this.socket.end();
    setTimeout(() => this.socket.destroy(), 2_000).unref();
    this.resolveClosed();
  }
}
