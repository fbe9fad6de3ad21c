import { readFileSync } from 'node:fs';
import { TandemError } from '../util/errors.js';

/**
 * The daemon's configuration file: JSON, every key optional, checked against this schema; an unknown key or a
 * wrong type is a usage error (exit 2) naming it. Command-line flags win over the file.
 */
export interface DaemonConfig {
  stateDir?: string;
  rpc?: string;
  rpcAuth?: string;
  port?: number;
  listen?: string[];
  downloadDir?: string;
  serveDir?: string;
  http?: string;
  seed?: boolean;
  tftp?: string;
  tftpWrite?: boolean;
  ftp?: string;
  ftps?: string;
  ftpAuth?: string;
  ftpWrite?: boolean;
  ftpTlsCert?: string;
  ftpTlsKey?: string;
  ftpTlsRequired?: boolean;
  ftpAllowUnresumedTls?: boolean;
  ftpPasvPorts?: string;
  ftpPasvAddress?: string;
  trackerHttp?: string;
  trackerUdp?: string;
  dht?: boolean;
  dhtBootstrap?: string[];
  lsd?: boolean;
  maxActiveDownloads?: number;
  maxActiveSeeds?: number;
  downloadLimitBytesPerSec?: number;
  uploadLimitBytesPerSec?: number;
  encryption?: 'allow' | 'prefer' | 'require';
}

type Kind = 'string' | 'boolean' | 'port' | 'count' | 'strings' | 'encryption';

const SCHEMA: Record<keyof DaemonConfig, Kind> = {
  stateDir: 'string',
  rpc: 'string',
  rpcAuth: 'string',
  port: 'port',
  listen: 'strings',
  downloadDir: 'string',
  serveDir: 'string',
  http: 'string',
  seed: 'boolean',
  tftp: 'string',
  tftpWrite: 'boolean',
  ftp: 'string',
  ftps: 'string',
  ftpAuth: 'string',
  ftpWrite: 'boolean',
  ftpTlsCert: 'string',
  ftpTlsKey: 'string',
  ftpTlsRequired: 'boolean',
  ftpAllowUnresumedTls: 'boolean',
  ftpPasvPorts: 'string',
  ftpPasvAddress: 'string',
  trackerHttp: 'string',
  trackerUdp: 'string',
  dht: 'boolean',
  dhtBootstrap: 'strings',
  lsd: 'boolean',
  maxActiveDownloads: 'count',
  maxActiveSeeds: 'count',
  downloadLimitBytesPerSec: 'count',
  uploadLimitBytesPerSec: 'count',
  encryption: 'encryption',
};

const WHAT: Record<Kind, string> = {
  string: 'a string',
  boolean: 'true or false',
  port: 'a port number (0-65535)',
  count: 'a whole number (0 or more)',
  strings: 'a list of strings',
  encryption: '"allow", "prefer" or "require"',
};

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string' && v.length > 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'port':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
    case 'count':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1e12;
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'encryption':
      return v === 'allow' || v === 'prefer' || v === 'require';
  }
}

/** Checks a parsed configuration value. Pure. */
export function checkConfig(value: unknown, where: string): DaemonConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usage(`${where}: the configuration must be a JSON object`);
  for (const [key, v] of Object.entries(value)) {
    const kind = SCHEMA[key as keyof DaemonConfig];
    if (!kind) throw usage(`${where}: unknown key "${key}" (known: ${Object.keys(SCHEMA).join(', ')})`);
    if (!fits(kind, v)) throw usage(`${where}: "${key}" must be ${WHAT[kind]}`);
  }
  return value as DaemonConfig;
}

export function readConfig(path: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`--config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw usage(`${path}: not JSON: ${(err as Error).message}`);
  }
  return checkConfig(value, path);
}

function usage(message: string): TandemError {
  return new TandemError('CLI_USAGE', message, 'input');
}
