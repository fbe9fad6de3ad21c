/** What a session is configured with (built once by the server from its options) and the events it reports. */
import type { SecureContext } from 'node:tls';
import type { DataChannelConfig } from './data-channel.js';

export interface SessionConfig {
  realRoot: string;
  banner: string;
  maxLineBytes: number;
  maxQueuedCommands: number;
  maxConsecutiveErrors: number;
  idleTimeoutMs: number;
  tlsHandshakeTimeoutMs: number;
  maxLoginFailures: number;
  loginFailureDelayMs: number;
  dataIdleTimeoutMs: number;
  readChunkBytes: number;
  maxListEntries: number;
  data: DataChannelConfig;
  /** `--ftp-pasv-address`: the IPv4 address a 227 reply names instead of the control connection's own. */
  pasvAddress: string | undefined;
  tls: SessionTls | undefined;
  /** `--auth USER:PASS`: only this user logs in; otherwise anonymous (`anonymous` or `ftp`, any password). */
  auth: { user: string; pass: string } | undefined;
  /** `--ftp-write`: the `--auth` user may change files. */
  allowWrite: boolean;
  onError?: (err: unknown) => void;
}

export interface SessionTls {
  /** A fresh context with the server's certificate and its own session-ticket keys. */
  newContext(): SecureContext;
  /** `--ftp-tls-required`: no login before AUTH TLS, no PROT C, no clear data connection. */
  required: boolean;
  /** `--ftp-allow-unresumed-tls`: accept a TLS data connection that did not resume the control session. */
  allowUnresumed: boolean;
}

/** Typed events (one detail object each, DESIGN.md §5); the CLI prints them as log lines or JSON. */
export type FtpEvent =
  | { event: 'ftp:login'; remote: string; user: string; outcome: 'ok' | 'failed'; timeMs: number }
  | {
      event: 'ftp:transfer';
      remote: string;
      user: string;
      /** RETR, STOR, APPE, LIST, NLST, MLSD. */
      command: string;
      /** The virtual path (untrusted text: escape it before printing). */
      path: string;
      bytes: number;
      startedMs: number;
      seconds: number;
      outcome: 'ok' | 'error' | 'aborted';
      error?: string;
      tls: boolean;
    }
  | { event: 'ftp:refused'; remote: string; reason: string }
  | { event: 'ftp:tls'; remote: string; protocol: string };
