/** Every default of the FTP server and client, in one place, units in the names. */
export const FTP_DEFAULTS = {
  host: '127.0.0.1',
  /** RFC 959 §3.2 assigns port 21 (and RFC 4217 §5 lists 990 for implicit FTPS); both need root, so ours do not. */
  port: 2121,
  ftpsPort: 2990,
  /** A command line longer than this gets 500 and the connection is closed (RFC 959 sets no limit). */
  maxLineBytes: 4096,
  /** Lines received but not yet answered; a client that pipelines more is flooding and is disconnected. */
  maxQueuedCommands: 64,
  /** Error replies in a row before the connection is closed (a client trying things). */
  maxConsecutiveErrors: 50,
  /** RFC 959 §5.4 leaves it to the server; vsftpd's idle_session_timeout is 300 s too. */
  idleTimeoutMs: 5 * 60_000,
  /** How long a PASV/EPSV listener or a PORT/EPRT connect may take before 425. */
  dataConnectTimeoutMs: 30_000,
  /** A transfer that moves no byte for this long is ended with 426. */
  dataIdleTimeoutMs: 5 * 60_000,
  /** The TLS handshake on the control channel (AUTH TLS, implicit FTPS) must finish within this. */
  tlsHandshakeTimeoutMs: 15_000,
  maxConnections: 512,
  /** stop() waits this long for clients to close before cutting their connections. */
  stopGraceMs: 1_000,
  maxConnectionsPerAddress: 16,
  /** Failed logins before the connection is closed; each failure is answered only after the delay. */
  maxLoginFailures: 3,
  loginFailureDelayMs: 1_000,
  /** Bytes read from a file at once on RETR. */
  readChunkBytes: 1024 * 1024,
  /** Tries to bind a passive port in --ftp-pasv-ports before 425. */
  pasvBindAttempts: 32,
  /** Entries LIST/MLSD/NLST send of one folder; the rest is cut (and logged as such). */
  maxListEntries: 100_000,
  /** The client gives up on a reply after this long. */
  clientReplyTimeoutMs: 60_000,
  /** The client's bound on files and folders in a tree download. */
  clientMaxTreeEntries: 100_000,
  clientMaxTreeDepth: 32,
} as const;
