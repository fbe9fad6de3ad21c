import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import {
  addApplication, ComputeServer, generateSigningKeys, openProject, projectPaths, projectStatus, submitWorkUnit, Volunteer, writeKeys,
  type ProjectStatus, type VolunteerEvent,
} from '../../compute/index.js';
import { TandemError } from '../../util/errors.js';
import { readJobFile, toSubmitSpec, type WorkUnitOptions } from '../compute-options.js';
import { repeatable, wholeNumberFlag } from '../options.js';
import { addCommonFlags, Output, runCommand, untilInterrupted, type CommonFlags } from '../output.js';
import { parseBytes } from '../units.js';
import { parseHostPort } from './serve.js';

const usage = (message: string): TandemError => new TandemError('CLI_USAGE', message, 'input');

export default function computeCommand(): Command {
  const cmd = new Command('compute')
    .description('shared computing: a project server hands WebAssembly work units to volunteers and trusts no single answer')
    .addHelpText('after', `
Examples:
  tandem compute keygen ./proj
  tandem compute app ./proj --name sum --wasm sum.wasm
  tandem compute submit ./proj --app sum --input data1.txt --quorum 2 --deadline 1h
  tandem compute serve ./proj --http 127.0.0.1:8090
  tandem compute join http://127.0.0.1:8090/ --cores 2
  tandem compute status ./proj --json`);
  for (const sub of [keygenCommand(), appCommand(), submitCommand(), serveCommand(), statusCommand(), joinCommand()]) cmd.addCommand(addCommonFlags(sub));
  return cmd;
}

function keygenCommand(): Command {
  return new Command('keygen')
    .description("make the project's Ed25519 code-signing key pair (the private key may then be kept offline)")
    .argument('<project-dir>', 'project folder (created if missing)')
    .addHelpText('after', '\nExample:\n  tandem compute keygen ./proj     # writes proj/keys/code-sign.key.pem (0600) and code-sign.pub.pem')
    .action((dir: string, flags: CommonFlags) =>
      runCommand(flags, async () => {
        const { paths, store } = await openProject(dir, { create: true });
        store.close();
        await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
        new Output(flags).line(`wrote ${paths.privateKey} and ${paths.publicKey}`);
        new Output(flags).json({ privateKey: paths.privateKey, publicKey: paths.publicKey });
      }),
    );
}

function appCommand(): Command {
  return new Command('app')
    .description('register a new version of a WebAssembly (WASI preview 1) application, with a signed manifest')
    .argument('<project-dir>', 'project folder')
    .requiredOption('--name <name>', 'application name')
    .requiredOption('--wasm <file>', 'the module: one memory with a declared maximum, WASI imports only')
    .option('--key <file>', 'private signing key (default: PROJECT_DIR/keys/code-sign.key.pem)')
    .option('--comparator <file>', 'a WebAssembly module the server runs on two outputs (files a and b) for tolerant validation: exit 0 when equivalent (default: bitwise, by SHA-256)')
    .addHelpText('after', '\nExamples:\n  tandem compute app ./proj --name sum --wasm sum.wasm --key /media/offline/code-sign.key.pem\n  tandem compute app ./proj --name sim --wasm sim.wasm --comparator close-enough.wasm')
    .action((dir: string, flags: CommonFlags & { name: string; wasm: string; key?: string; comparator?: string }) =>
      runCommand(flags, async () => {
        const { paths, store } = await openProject(dir);
        try {
          const app = await addApplication(paths, store, flags.name, flags.wasm, flags.key ?? paths.privateKey, Date.now(), flags.comparator);
          const out = new Output(flags);
          out.line(`application ${app.name} version ${app.version} (${app.wasmBytes} bytes, sha256 ${app.wasmSha256})`);
          out.json({ name: app.name, version: app.version, wasmSha256: app.wasmSha256, wasmBytes: app.wasmBytes });
        } finally {
          store.close();
        }
      }),
    );
}

type SubmitFlags = CommonFlags & WorkUnitOptions & { app?: string; input: string[]; jobs?: string };

function submitCommand(): Command {
  return new Command('submit')
    .description('create work units: one from --input files, or many from a JSON job file')
    .argument('<project-dir>', 'project folder')
    .option('--app <name>', 'application to run')
    .option('--input <file>', 'input file (the first is also stdin); repeat for more', repeatable, [])
    .option('--jobs <file>', 'JSON job file: {"workUnits": [{"app", "inputs": [...], "quorum", "deadline", ...}]}')
    .option('--name <name>', 'work unit name (default: generated)')
    .option('--quorum <n>', 'results that must agree (1: trusted task farm; 2 or more: volunteer computing) (default 2)')
    .option('--target <n>', 'copies sent at first (default: the quorum)')
    .option('--max-errors <n>', 'errors after which the work unit fails (default 4)')
    .option('--max-total <n>', 'copies ever made (default 8)')
    .option('--deadline <duration>', 'time a volunteer has for one copy, e.g. 30s, 1h (default 1h)')
    .option('--cpu-seconds <s>', 'CPU time bound of one copy (default 60)')
    .option('--memory <bytes>', "memory bound: the module's declared maximum must fit (default 64MiB)")
    .option('--output-max <bytes>', 'output bound (default 16MiB)')
    .addHelpText('after', '\nExamples:\n  tandem compute submit ./proj --app sum --input data.txt --quorum 2 --deadline 10m\n  tandem compute submit ./proj --jobs batch.json --json')
    .action((dir: string, flags: SubmitFlags) => runCommand(flags, () => submit(dir, flags)));
}

async function submit(dir: string, flags: SubmitFlags): Promise<void> {
  if (!flags.jobs && !flags.app) throw usage('give --app NAME with --input FILE..., or --jobs FILE');
  if (flags.jobs && flags.input.length > 0) throw usage('--jobs and --input do not go together');
  const specs = flags.jobs ? await readJobFile(flags.jobs, flags.app) : [toSubmitSpec(flags.app!, flags.input, flags)];
  const { paths, store } = await openProject(dir);
  const out = new Output(flags);
  try {
    for (const spec of specs) {
      const name = await submitWorkUnit(paths, store, spec, Date.now());
      out.line(`submitted ${name}`);
      out.json({ workUnit: name });
    }
  } finally {
    store.close();
  }
}

function serveCommand(): Command {
  return new Command('serve')
    .description('run the project server: scheduler, files, uploads, transitioner, validator and assimilator')
    .argument('<project-dir>', 'project folder (made by keygen)')
    .requiredOption('--http <host:port>', 'address to serve on (port 0 picks one)')
    .option('--files-http <host:port>', 'also serve applications and inputs from a seeding file server here: files of 256 KiB and more become torrents with it as tracker and seed, so volunteers with --swarm fetch from each other')
    .option('--assimilate-hook <command>', 'shell command run for each finished work unit, with TANDEM_WORK_UNIT, TANDEM_STATE (done|failed) and TANDEM_RESULT (its results folder or .failed file) in the environment')
    .addHelpText('after', '\nExamples:\n  tandem compute serve ./proj --http 127.0.0.1:8090\n  tandem compute serve ./proj --http 127.0.0.1:8090 --files-http 127.0.0.1:8091\n  tandem compute serve ./proj --http 0.0.0.0:8090 --assimilate-hook \'cp -r "$TANDEM_RESULT" /archive/\'')
    .action((dir: string, flags: CommonFlags & { http: string; filesHttp?: string; assimilateHook?: string }) =>
      runCommand(flags, async () => {
        const { host, port } = parseHostPort(flags.http, '--http');
        const out = new Output(flags);
        const onError = (err: unknown): void => out.warn(`compute: ${(err as Error).message}`);
        const files = flags.filesHttp === undefined ? undefined : parseHostPort(flags.filesHttp, '--files-http');
        if (files && files.host !== host) throw usage('--files-http must use the same host as --http');
        const server = new ComputeServer({ projectDir: dir, host, port, filesPort: files?.port, assimilateHook: flags.assimilateHook, onError });
        const { url, filesUrl } = await server.start();
        out.line(`compute project ${projectPaths(dir).root} at ${url}${filesUrl ? `, files at ${filesUrl}` : ''}`);
        out.json({ event: 'listening', url, filesUrl });
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.stop();
      }),
    );
}

function statusCommand(): Command {
  return new Command('status')
    .description('work units, instances, hosts and credit of a project')
    .argument('<project-dir>', 'project folder')
    .option('--work-units', 'list every work unit and its instances')
    .addHelpText('after', '\nExamples:\n  tandem compute status ./proj\n  tandem compute status ./proj --json --work-units')
    .action((dir: string, flags: CommonFlags & { workUnits?: boolean }) =>
      runCommand(flags, async () => {
        const { store } = await openProject(dir);
        try {
          const status = projectStatus(store, Date.now(), flags.workUnits === true);
          const out = new Output(flags);
          out.json(status);
          printStatus(out, status);
        } finally {
          store.close();
        }
      }),
    );
}

function printStatus(out: Output, s: ProjectStatus): void {
  const pairs = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  out.line(`work units: ${pairs(s.workUnits)}`);
  out.line(`instances: ${pairs(s.instances)}`);
  for (const h of s.hosts) {
    out.line(`host ${h.id}${h.user ? ` (${h.user})` : ''}: ${h.cores} cores, valid ${h.valid}, invalid ${h.invalid}, errors ${h.errors}, credit ${h.totalCredit.toPrecision(3)} (recent ${h.recentCredit.toPrecision(3)}/day), quota ${h.quotaPerDay}/day`);
  }
  for (const w of s.workUnitList ?? []) {
    out.line(`${w.name}: ${w.state}${w.error ? ` (${w.error})` : ''}${w.canonical ? `, canonical ${w.canonical}` : ''}`);
    for (const i of w.instances) out.line(`  ${i.name}: host ${i.host ?? '-'} ${i.state}${i.outcome ? `/${i.outcome}` : ''} ${i.validate}`);
  }
}

type JoinFlags = CommonFlags & { cores?: string; memory?: string; stateDir?: string; user?: string; projectKey?: string; maxInstances?: string; swarm?: boolean; swarmListen?: string };

function joinCommand(): Command {
  return new Command('join')
    .description("lend this machine's cores to a project: fetch, check, run in the sandbox, upload, report")
    .argument('<url>', "the project server's URL")
    .option('--cores <n>', 'instances run at once (default: cores - 1)')
    .option('--memory <bytes>', 'memory offered to the project (default: half of this machine)')
    .option('--state-dir <dir>', 'where slots, files and the host identity are kept (default: ~/.local/state/tandem/compute/...)')
    .option('--user <name>', 'account name credit is counted under')
    .option('--project-key <file>', "pin the project's public key (PEM) instead of trusting the first one it shows")
    .option('--max-instances <n>', 'stop after this many instances were reported')
    .option('--swarm', "fetch applications and inputs with `tandem get --seed --no-webseeds` (the swarm, when the project's files server offers torrents; plain HTTP when the swarm fails) and keep seeding them")
    .option('--swarm-listen <host>', 'address the seeding peers listen on (default: every interface)')
    .addHelpText('after', '\nExamples:\n  tandem compute join http://127.0.0.1:8090/ --cores 2\n  tandem compute join http://10.0.0.5:8090/ --project-key proj.pub.pem --user alice --json')
    .action((url: string, flags: JoinFlags) => runCommand(flags, () => join(url, flags)));
}

async function join(url: string, flags: JoinFlags): Promise<void> {
  let projectUrl: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    projectUrl = u.href.endsWith('/') ? u.href : `${u.href}/`;
  } catch {
    throw usage(`"${url}" is not an http(s):// URL`);
  }
  const out = new Output(flags);
  const init = {
    projectUrl, stateDir: flags.stateDir, cores: wholeNumberFlag(flags.cores, '--cores', 1, 256), userName: flags.user,
    memoryBytes: flags.memory === undefined ? undefined : parseBytes(flags.memory, '--memory'),
    maxInstances: wholeNumberFlag(flags.maxInstances, '--max-instances', 1, 1e9),
    projectKeyPem: flags.projectKey === undefined ? undefined : await readFile(flags.projectKey, 'utf8'),
    swarm: flags.swarm || flags.swarmListen !== undefined ? { listenHost: flags.swarmListen } : undefined,
  };
  const volunteer = new Volunteer(init, { onEvent: (e) => report(out, e) });
  await untilInterrupted((signal) => {
    process.once('SIGTERM', () => process.emit('SIGINT'));
    return volunteer.run(signal);
  });
}

function report(out: Output, e: VolunteerEvent): void {
  out.json(e);
  if (e.type === 'instance') out.line(`${e.name}: ${e.status}${e.reason ? ` (${e.reason})` : ''}, ${e.cpuSeconds.toFixed(2)} s CPU`);
  else if (e.type === 'refused') out.warn(`${e.name}: refused: ${e.error}`);
  else if (e.type === 'sandbox') out.detail(`${e.name}: sandbox: ${e.reason}: ${e.message}`);
  else if (e.type === 'resumed') out.detail(`${e.name}: continues from its checkpoint (${e.checkpoints.join(', ')})`);
  else if (e.type === 'fetched') out.detail(`fetched ${e.sha256} (${e.bytes} bytes) over ${e.via}`);
  else if (e.type === 'backoff') out.warn(`server unreachable (${e.error}); next try in ${(e.delayMs / 1000).toFixed(1)} s`);
  else out.detail(`scheduler: ${e.got} new, ${e.acks} acknowledged, ${e.aborts} aborted`);
}
