import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { isReferenceMode, LabError, MAX_LAB_CLIENTS, listNamespaces, parseClientCounts, parseCsv, parseModes, parseRate, prefixFor, ProcessSet, removeStale, requirePrograms, runFloor, runLab, simulateLab, takeLock, destroySync, type LabParams, type RunRecord } from '../../lab/index.js';
import { addCommonFlags, EXIT_USAGE, Output, runCommand, type CommonFlags } from '../output.js';
import { wholeNumberFlag } from '../options.js';
import { isPieceLength } from '../../metainfo/index.js';
import { parseBytes } from '../units.js';

interface LabFlags extends CommonFlags {
  clients: string;
  modes: string;
  size: string;
  serverUp: string;
  clientUp: string;
  clientDown?: string;
  queueMs: string;
  pieceLength: string;
  reps: string;
  out: string;
  simulate?: boolean;
  compare?: string;
  seedPolicy: string;
  trace?: boolean;
}

function paramsOf(flags: LabFlags): LabParams {
  const pieceLengthBytes = parseBytes(flags.pieceLength, '--piece-length');
  if (!isPieceLength(pieceLengthBytes)) throw new LabError('LAB_USAGE', '--piece-length: a power of two from 16KiB to 256MiB', 'input');
  const sizeBytes = parseBytes(flags.size, '--size');
  if (sizeBytes < 1 || sizeBytes > 4 * 1024 ** 3) throw new LabError('LAB_USAGE', '--size: from 1 byte to 4GiB', 'input');
  return {
    clients: parseClientCounts(flags.clients, flags.simulate ? 100_000 : MAX_LAB_CLIENTS),
    modes: parseModes(flags.modes),
    sizeBytes,
    serverUpBps: parseRate(flags.serverUp, '--server-up'),
    clientUpBps: parseRate(flags.clientUp, '--client-up'),
    clientDownBps: flags.clientDown ? parseRate(flags.clientDown, '--client-down') : Infinity,
    queueMs: wholeNumberFlag(flags.queueMs, '--queue-ms', 1, 10_000)!,
    pieceLengthBytes,
    reps: wholeNumberFlag(flags.reps, '--reps', 1, 100)!,
  };
}

/** One line for a finished run: for people, or one JSON object with --json (the start-up floor null when unknown). */
function showRun(out: Output, r: RunRecord, params: LabParams): void {
  const { series: _series, ...record } = r;
  const floor = runFloor(r, params);
  out.json({ event: 'run', ...record, floorSeconds: Number.isFinite(floor) ? floor : null });
  const overFloor = Number.isFinite(floor) ? `, ${(r.dSeconds / floor).toFixed(2)} × floor (${floor.toFixed(2)} s)` : '';
  out.line(`  ${r.mode} N=${r.clients} rep ${r.rep}: D ${r.dSeconds.toFixed(2)} s = ${r.ratio.toFixed(2)} × bound (${r.boundSeconds.toFixed(2)} s)${overFloor}, server ${r.serverCopies.toFixed(2)} copies, clients got ${r.clientCopies.toFixed(2)} each, util server ${r.serverUtil.toFixed(2)} clients ${r.clientUtil.toFixed(2)}, CPU ${r.cpuSeconds.toFixed(1)} s${r.sha256Ok ? '' : ', SHA-256 MISMATCH'}`);
  const t = r.trace;
  if (t) out.line(`    traced: first piece at ${t.firstPiece.median.toFixed(2)} s (last client ${t.firstPiece.high.toFixed(2)} s), first upload at ${t.firstSend.median.toFixed(2)} s; HAVE ${(t.haveLatency.median * 1000).toFixed(0)} ms, request ${(t.requestLatency.median * 1000).toFixed(0)} ms between hosts (medians)`);
}

/** Removes every namespace and process of this run however the process ends; a second Ctrl-C ends it at once. */
function guard(prefix: string, procs: ProcessSet, release: () => void, controller: AbortController): () => void {
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) return void controller.abort(new LabError('LAB_ABORTED', 'interrupted; every namespace and process of the lab was removed'));
    procs.killNow();
    destroySync(prefix);
    release();
    process.exit(1);
  };
  const onExit = (): void => {
    procs.killNow();
    destroySync(prefix);
    release();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', onExit);
    onExit();
  };
}

async function measured(flags: LabFlags, params: LabParams, out: Output): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('tandem: lab needs root (it makes network namespaces and shapes links with tc); run it as root\n');
    return EXIT_USAGE;
  }
  const release = takeLock();
  const prefix = prefixFor();
  const procs = new ProcessSet();
  const controller = new AbortController();
  const unguard = guard(prefix, procs, release, controller);
  try {
    const stale = removeStale();
    if (stale) out.warn(`removed the namespaces of ${stale} lab run(s) that had died`);
    const notes = ['each host is a network namespace; the links are veth pairs to one bridge, shaped with HTB (tc) on each uplink', `TCP congestion control: the kernel default inside each namespace`, 'distribution time includes the start-up of each client process (Node; Python or aria2c in the reference modes)'];
    const started = Date.now();
    const result = await runLab(params, {
      prefix,
      out: flags.out,
      command: `tandem ${process.argv.slice(3).length ? 'lab ' + process.argv.slice(3).join(' ') : 'lab'}`,
      signal: controller.signal,
      procs,
      notes,
      trace: flags.trace,
      events: {
        progress: (t) => {
          out.line(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${t}`);
          out.json({ event: 'progress', message: t });
        },
        shaping: (s) => {
          out.line(`  ${s.link}: ${(s.goodputBps / 1e6).toFixed(2)} Mbit/s of payload, ${s.wireRatio.toFixed(3)} of the configured rate on the wire`);
          out.json({ event: 'shaping', ...s });
        },
        run: (r) => showRun(out, r, params),
      },
    });
    out.line(`wrote ${result.files.join(', ')}`);
    out.json({ event: 'done', files: result.files });
    if (listNamespaces(prefix).length) throw new LabError('LAB_NETNS', `namespaces of ${prefix}* are still there after the run`);
    return result.runs.every((r) => r.sha256Ok) ? 0 : 1;
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason as Error;
    throw err;
  } finally {
    await procs.stopAll(2000);
    unguard();
  }
}

async function simulated(flags: LabFlags, params: LabParams, out: Output): Promise<number> {
  const compare = flags.compare ? parseCsv(await readFile(join(flags.compare, 'runs.csv'), 'utf8').catch(() => { throw new LabError('LAB_USAGE', `--compare: no runs.csv in ${flags.compare}`, 'input'); })) : undefined;
  const result = await simulateLab(params, { out: flags.out, command: `tandem lab ${process.argv.slice(3).join(' ')}`, compare, era: flags.seedPolicy as 'now' | 'before', onRun: (r) => showRun(out, r, params) });
  for (const line of result.agreement) out.line(line);
  out.line(`wrote ${result.files.join(', ')}`);
  out.json({ event: 'done', files: result.files, agreement: result.agreement });
  return 0;
}

export default function labCommand(): Command {
  const cmd = new Command('lab')
    .description('measure client-server against peer-to-peer distribution on emulated links (network namespaces, tc)')
    .addOption(new Option('--clients <list>', 'numbers of clients to run, comma separated').default('1,2,4,8,16'))
    .addOption(new Option('--modes <list>', 'cs (serve + get http), p2p (tracker + share + get --seed), hybrid (serve --seed + get http --seed); for comparison, libtorrent or aria2 (tracker + that program as seed and clients)').default('cs,p2p,hybrid'))
    .addOption(new Option('--size <bytes>', 'size of the file distributed').default('20MiB'))
    .addOption(new Option('--server-up <rate>', "the server's upload rate (tc units: 20mbit, 512kbit)").default('20mbit'))
    .addOption(new Option('--client-up <rate>', "each client's upload rate").default('10mbit'))
    .addOption(new Option('--client-down <rate>', "each client's download rate (default: not shaped)"))
    .addOption(new Option('--queue-ms <ms>', "each shaped link's queue, in ms of its rate").default('100'))
    .addOption(new Option('--piece-length <bytes>', 'piece length of the p2p torrent').default('256KiB'))
    .addOption(new Option('--reps <n>', 'repetitions of each mode and N').default('3'))
    .addOption(new Option('--out <dir>', 'folder for runs.csv, report.md and the SVG plots').default('lab-results'))
    .addOption(new Option('--trace', "keep every tandem process's piece timeline (OUT/trace/) and show in the report when the clients first asked, got and sent a piece, and how long HAVEs and requests took between hosts"))
    .addOption(new Option('--simulate', 'simulate the modes instead (no root; N up to 100,000)'))
    .addOption(new Option('--compare <dir>', "with --simulate: a measured lab's --out folder to compare with"))
    .addOption(new Option('--seed-policy <era>', "with --simulate: the seed's choking and allowed-fast grants as tandem has them now, or before December 2026").choices(['now', 'before']).default('now'))
    .addHelpText('after', '\nExamples:\n  tandem lab --clients 1,2,4,8,16 --reps 3 --out lab-results      # as root\n  tandem lab --clients 1,2 --size 2MiB --reps 1 --modes cs,p2p\n  tandem lab --clients 2,4,8 --modes p2p,libtorrent,aria2 --reps 1   # tandem beside the reference programs\n  tandem lab --clients 16 --modes p2p --reps 1 --trace --out lab-trace  # where the time goes, piece by piece\n  tandem lab --simulate --clients 1,10,100,1000,10000 --compare lab-results --out sim');
  addCommonFlags(cmd);
  return cmd.action((flags: LabFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const params = paramsOf(flags);
      if (flags.compare && !flags.simulate) throw new LabError('LAB_USAGE', '--compare goes with --simulate', 'input');
      if (flags.trace && flags.simulate) throw new LabError('LAB_USAGE', '--trace records measured runs; it does not go with --simulate', 'input');
      const reference = params.modes.filter(isReferenceMode);
      if (flags.simulate && reference.length) throw new LabError('LAB_USAGE', `--simulate models tandem's own modes (cs, p2p, hybrid), not ${reference.join(', ')}`, 'input');
      if (!flags.simulate) requirePrograms(params.modes);
      return flags.simulate ? simulated(flags, params, out) : measured(flags, params, out);
    }),
  );
}
