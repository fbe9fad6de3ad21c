/**
 * A project folder: `project.db` (SQLite, WAL), `keys/` (the code-signing key pair), `files/` (applications and
 * inputs, content-addressed by SHA-256), `uploads/` (outputs as they arrive) and `results/` (canonical outputs,
 * written by the assimilator). Submitting work and registering applications happen here, outside the server, and
 * may run while it serves: SQLite serialises the writers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import type { Bounds, Replication } from './model.js';
import { NAME_RE, type InputRef } from './protocol.js';
import { checkModule } from './sandbox/wasm-check.js';
import { loadPrivateKey, manifestString, signManifest } from './signing.js';
import { ComputeStore, type AppRow } from './store.js';
import { settleWorkUnit } from './workflow.js';

export interface ProjectPaths {
  root: string;
  db: string;
  keys: string;
  privateKey: string;
  publicKey: string;
  files: string;
  uploads: string;
  results: string;
  /** Torrents the files server made (outside `files/`, as `serve --seed` requires). */
  torrents: string;
}

export function projectPaths(root: string): ProjectPaths {
  return {
    root, db: join(root, 'project.db'), keys: join(root, 'keys'), privateKey: join(root, 'keys', 'code-sign.key.pem'),
    publicKey: join(root, 'keys', 'code-sign.pub.pem'), files: join(root, 'files'), uploads: join(root, 'uploads'), results: join(root, 'results'), torrents: join(root, 'torrents'),
  };
}

/** Opens a project's store; only `create` (keygen, tests) makes a new project, so a typo never makes an empty one. */
export async function openProject(root: string, opts: { create?: boolean } = {}): Promise<{ paths: ProjectPaths; store: ComputeStore }> {
  const paths = projectPaths(root);
  if (!opts.create && !(await stat(paths.db).then((s) => s.isFile(), () => false))) {
    throw new ComputeError('COMPUTE_PROJECT', `no compute project at ${root} (make one with: tandem compute keygen ${root})`, 'input');
  }
  for (const dir of [paths.root, paths.keys, paths.files, paths.uploads, paths.results]) await mkdir(dir, { recursive: true });
  return { paths, store: new ComputeStore(paths.db) };
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Copies a file into the content store (temporary name, fsync, rename), and returns its reference. */
export async function storeFile(paths: ProjectPaths, source: string, name: string): Promise<InputRef> {
  const info = await stat(source).catch(() => undefined);
  if (!info?.isFile()) throw new ComputeError('COMPUTE_NOT_FOUND', `${source} is not a readable file`, 'input');
  if (info.size > COMPUTE_DEFAULTS.maxFileBytes) throw new ComputeError('COMPUTE_TOO_LARGE', `${source} is larger than ${COMPUTE_DEFAULTS.maxFileBytes} bytes`, 'input');
  const data = await readFile(source);
  const sha256 = sha256Hex(data);
  await putBytes(paths, sha256, data);
  return { name, sha256, bytes: data.length };
}

async function putBytes(paths: ProjectPaths, sha256: string, data: Uint8Array): Promise<void> {
  const final = join(paths.files, sha256);
  // Already there: touched, so the assimilator (which deletes inputs nobody needs) keeps it for this submit.
  if (await utimes(final, new Date(), new Date()).then(() => true, () => false)) return;
  const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, final);
}

/** Registers a new version of an application: checks the module, signs its manifest, stores its bytes. */
export async function addApplication(
  paths: ProjectPaths, store: ComputeStore, name: string, wasmPath: string, keyPath: string, nowMs: number, comparatorPath?: string,
): Promise<AppRow> {
  if (!NAME_RE.test(name)) throw new ComputeError('COMPUTE_USAGE', `application name "${name}" is not valid (letters, digits, . _ -)`, 'input');
  const wasm = await readFile(wasmPath).catch((err: Error) => {
    throw new ComputeError('COMPUTE_NOT_FOUND', `cannot read ${wasmPath}: ${err.message}`, 'input');
  });
  checkModule(wasm, COMPUTE_DEFAULTS.maxMemoryBytes);
  const key = loadPrivateKey(await readFile(keyPath, 'utf8').catch(() => {
    throw new ComputeError('COMPUTE_PROJECT', `no signing key at ${keyPath} (run: tandem compute keygen ${paths.root})`, 'input');
  }));
  const sha256 = sha256Hex(wasm);
  await putBytes(paths, sha256, wasm);
  let comparatorSha256: string | null = null;
  if (comparatorPath !== undefined) {
    const comparator = await readFile(comparatorPath).catch((err: Error) => {
      throw new ComputeError('COMPUTE_NOT_FOUND', `cannot read ${comparatorPath}: ${err.message}`, 'input');
    });
    checkModule(comparator, COMPUTE_DEFAULTS.comparatorMemoryBytes);
    comparatorSha256 = sha256Hex(comparator);
    await putBytes(paths, comparatorSha256, comparator);
  }
  const version = (store.latestApp(name)?.version ?? 0) + 1;
  const manifest = manifestString({ app: name, version, wasmSha256: sha256, wasmBytes: wasm.length });
  return store.addApp({ name, wasmSha256: sha256, wasmBytes: wasm.length, manifest, signature: signManifest(manifest, key), comparatorSha256 }, nowMs);
}

export interface SubmitSpec {
  name?: string;
  app: string;
  inputs: string[];
  /** Which input is stdin: the first, unless null. */
  stdin?: string | null;
  bounds?: Partial<Bounds>;
  replication?: Partial<Replication>;
}

/** Creates one work unit and its first copies; returns its name. */
export async function submitWorkUnit(paths: ProjectPaths, store: ComputeStore, spec: SubmitSpec, nowMs: number): Promise<string> {
  const app = store.latestApp(spec.app);
  if (!app) throw new ComputeError('COMPUTE_NOT_FOUND', `no application "${spec.app}" (add one with: tandem compute app ${paths.root} --name ${spec.app} --wasm FILE)`, 'input');
  if (spec.inputs.length > COMPUTE_DEFAULTS.maxInputsPerWorkUnit) throw new ComputeError('COMPUTE_TOO_LARGE', `more than ${COMPUTE_DEFAULTS.maxInputsPerWorkUnit} inputs`, 'input');
  const inputs: InputRef[] = [];
  for (const path of spec.inputs) {
    const name = basename(path);
    if (!NAME_RE.test(name) || inputs.some((i) => i.name === name)) throw new ComputeError('COMPUTE_USAGE', `input name "${name}" is not valid or given twice`, 'input');
    inputs.push(await storeFile(paths, path, name));
  }
  const r = { ...defaultReplication(), ...spec.replication };
  if (!(r.minQuorum >= 1 && r.targetNResults >= r.minQuorum && r.maxTotalResults >= r.targetNResults)) {
    throw new ComputeError('COMPUTE_USAGE', 'replication must satisfy 1 <= quorum <= target <= max total', 'input');
  }
  const bounds = { cpuSeconds: COMPUTE_DEFAULTS.cpuSeconds, memoryBytes: COMPUTE_DEFAULTS.memoryBytes, outputBytes: COMPUTE_DEFAULTS.outputBytes, ...spec.bounds };
  const name = spec.name ?? `wu-${nowMs.toString(36)}-${randomBytes(4).toString('hex')}`;
  if (!NAME_RE.test(name) || name.length > 100) throw new ComputeError('COMPUTE_USAGE', `work unit name "${name}" is not valid`, 'input');
  return store.tx(() => {
    if (store.workUnitByName(name)) throw new ComputeError('COMPUTE_USAGE', `a work unit named ${name} exists`, 'input');
    const stdinName = spec.stdin === null ? null : (spec.stdin ?? inputs[0]?.name ?? null);
    const id = store.insertWorkUnit({
      name, appId: app.id, appName: app.name, inputs, stdinName, seed: sha256Hex(Buffer.from(`${name}\n${randomBytes(16).toString('hex')}`)),
      bounds, ...r, createdAtMs: nowMs,
    });
    settleWorkUnit(store, id, nowMs);
    return name;
  });
}

export function defaultReplication(): Replication {
  const q = COMPUTE_DEFAULTS.minQuorum;
  return {
    minQuorum: q, targetNResults: q, maxErrorResults: COMPUTE_DEFAULTS.maxErrorResults, maxTotalResults: COMPUTE_DEFAULTS.maxTotalResults,
    maxSuccessResults: COMPUTE_DEFAULTS.maxSuccessResults, delayBoundMs: COMPUTE_DEFAULTS.delayBoundMs,
  };
}

/** `keygen`: a new Ed25519 pair, the private key readable by its owner only; never overwrites a key. */
export async function writeKeys(privatePath: string, publicPath: string, keys: { privatePem: string; publicPem: string }): Promise<void> {
  await writeFile(privatePath, keys.privatePem, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new ComputeError('COMPUTE_PROJECT', err.code === 'EEXIST' ? `${privatePath} exists: keygen never replaces a key` : err.message, 'input');
  });
  await writeFile(publicPath, keys.publicPem, { mode: 0o644 });
}
