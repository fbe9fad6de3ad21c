import { Command, Option } from 'commander';
import { isTandemError } from '../util/errors.js';
import { isOutOfDescriptors } from './descriptors.js';

/** The flags every command takes (DESIGN.md §4). */
export interface CommonFlags {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function addCommonFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--json', 'machine-readable output: one JSON object per line'))
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addOption(new Option('-v, --verbose', 'print more detail, and stack traces on errors'));
}

/** Exit codes of the CLI contract. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Where a command writes: plain lines, JSON lines, or nothing, as the flags say. */
export class Output {
  constructor(readonly flags: CommonFlags) {}

  /** A line for people; hidden by --quiet and --json. */
  line(text = ''): void {
    if (!this.flags.quiet && !this.flags.json) process.stdout.write(text + '\n');
  }

  /** A record for machines; printed with --json only. */
  json(value: unknown): void {
    if (this.flags.json) process.stdout.write(JSON.stringify(value) + '\n');
  }

  /** A line a person should see even when all goes on (a tracker's warning); stderr, hidden by --quiet and --json. */
  warn(text: string): void {
    if (!this.flags.quiet && !this.flags.json) process.stderr.write(`tandem: ${text}\n`);
  }

  detail(text: string): void {
    if (this.flags.verbose && !this.flags.json) process.stderr.write(text + '\n');
  }
}

/**
 * Runs `body` with a signal that aborts on Ctrl-C (with `reason`, or the standard AbortError), and removes the
 * SIGINT listener when the body ends, so a long command stops cleanly instead of dying mid-write.
 */
export async function untilInterrupted<T>(body: (signal: AbortSignal) => Promise<T>, reason?: unknown): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(reason);
  process.once('SIGINT', onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Runs a command body and turns a thrown error into one line on stderr and the contract's exit code:
 * bad input (a typed error of kind 'input') exits 2, anything else 1. --verbose adds the stack.
 */
export async function runCommand(flags: CommonFlags, body: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT_OK;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Out of descriptors is the machine's limit, never bad input, whatever operation met it.
    const descriptors = isOutOfDescriptors(err);
    process.stderr.write(`tandem: ${message}${descriptors ? ' (out of file descriptors: raise the limit with ulimit -n)' : ''}\n`);
    if (flags.verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = isTandemError(err) && err.kind === 'input' && !descriptors ? EXIT_USAGE : EXIT_FAILURE;
  }
}
