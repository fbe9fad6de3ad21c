/**
 * The daemon's FTP server from its configuration: the same checks and options as `tandem serve --ftp`, with the
 * account and certificate under FTP's own names (`ftpAuth`, `ftpTlsCert`, `ftpTlsKey`: the daemon's HTTP server
 * has neither).
 */
import { resolve } from 'node:path';
import type { ServerSpec } from '../node/index.js';
import type { DaemonConfig } from './daemon-config.js';
import { ftpOptions } from './serve-ftp.js';

/** The configuration keys (and, spelled as flags, the options) of the daemon's FTP server. */
export const FTP_CONFIG_KEYS = ['ftp', 'ftps', 'ftpAuth', 'ftpWrite', 'ftpTlsCert', 'ftpTlsKey', 'ftpTlsRequired', 'ftpAllowUnresumedTls', 'ftpPasvPorts', 'ftpPasvAddress'] as const;
export type DaemonFtpConfig = Pick<DaemonConfig, (typeof FTP_CONFIG_KEYS)[number]>;

const NAMES = { auth: '--ftp-auth (ftpAuth)', tlsCert: '--ftp-tls-cert and --ftp-tls-key (ftpTlsCert, ftpTlsKey)' };

/** The `ftp` server spec, or undefined when neither `ftp` nor `ftps` is configured. */
export async function daemonFtpSpec(c: DaemonConfig, root: string): Promise<ServerSpec | undefined> {
  if (!c.ftp && !c.ftps) return undefined;
  const flags = {
    ftp: c.ftp,
    ftps: c.ftps,
    ftpWrite: c.ftpWrite,
    ftpPasvPorts: c.ftpPasvPorts,
    ftpPasvAddress: c.ftpPasvAddress,
    ftpTlsRequired: c.ftpTlsRequired,
    ftpAllowUnresumedTls: c.ftpAllowUnresumedTls,
    tlsCert: c.ftpTlsCert === undefined ? undefined : resolve(c.ftpTlsCert),
    tlsKey: c.ftpTlsKey === undefined ? undefined : resolve(c.ftpTlsKey),
    auth: c.ftpAuth,
  };
  const { auth, allowWrite, tls, pasvPorts, pasvAddress } = await ftpOptions(root, flags, NAMES);
  const ftp = { auth, allowWrite, tls, pasvPorts, pasvAddress };
  // One `ftp` server: plain (with AUTH TLS when there is a certificate) and implicit FTPS beside it, or either alone.
  if (!c.ftp) return { kind: 'ftp', address: c.ftps!, root, ftp: { ...ftp, implicitTls: true } };
  return { kind: 'ftp', address: c.ftp, root, ftp: { ...ftp, implicitAddress: c.ftps } };
}
