/**
 * FTP as the node runs it, with what `tandem serve --ftp` takes: an account, uploads, explicit FTPS, implicit FTPS
 * on a second address, passive ports and address. Both listeners are one `ftp` server to the node: one log, one
 * count, started and stopped together.
 */
import { FtpServer, formatFtpLine, type FtpServerOptions } from '../ftp/index.js';
import { parseHostPort } from '../tracker/index.js';
import { NodeError } from './errors.js';

/** The FTP part of a server spec; without it the server is anonymous and read-only. */
export type NodeFtpOptions = Pick<FtpServerOptions, 'auth' | 'allowWrite' | 'tls' | 'pasvPorts' | 'pasvAddress' | 'implicitTls'> & {
  /** Implicit FTPS on this HOST:PORT beside the plain listener (needs `tls`). */
  implicitAddress?: string;
};

export interface RunningFtp {
  /** HOST:PORT as bound, with the implicit FTPS address after it when there is one. */
  address: string;
  bytesSent(): number;
  stop(): Promise<void>;
}

const hostText = (h: string): string => (h.includes(':') ? `[${h}]` : h);

/** Starts the listeners; every login and transfer line goes to `logLine`. */
export async function startNodeFtp(root: string, at: { host: string; port: number }, opts: NodeFtpOptions, logLine: (line: string) => void): Promise<RunningFtp> {
  const { implicitAddress, ...common } = opts;
  let sent = 0;
  const make = (where: { host: string; port: number }, implicitTls: boolean): FtpServer =>
    new FtpServer({
      ...common,
      root,
      ...where,
      implicitTls,
      onEvent: (e) => {
        if (e.event === 'ftp:transfer' && e.command === 'RETR') sent += e.bytes;
        const line = formatFtpLine(e);
        if (line) logLine(line);
      },
    });
  const servers = [make(at, Boolean(common.implicitTls))];
  if (implicitAddress !== undefined) servers.push(make(implicitAt(implicitAddress), true));
  const bound: string[] = [];
  try {
    for (const s of servers) {
      const addr = await s.start();
      bound.push(`${hostText(addr.host)}:${addr.port}`);
    }
  } catch (err) {
    for (const s of servers) await s.stop();
    throw err;
  }
  return {
    address: bound.length > 1 ? `${bound[0]} (FTPS ${bound[1]})` : bound[0]!,
    bytesSent: () => sent,
    stop: async () => {
      for (const s of servers) await s.stop();
    },
  };
}

function implicitAt(address: string): { host: string; port: number } {
  try {
    return parseHostPort(address);
  } catch {
    throw new NodeError('NODE_BAD_ARGUMENT', `ftps: "${address}" is not HOST:PORT`, 'input');
  }
}
