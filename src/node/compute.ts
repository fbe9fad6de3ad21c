/**
 * The node's compute project (`tandem compute serve` run by the daemon): at most one project server, started from
 * the daemon's configuration or the API and stopped with the node. The API and /metrics read its status from here.
 */
// The compute modules are loaded when a project starts: a node that runs none (a one-shot `get`) never loads them.
import type { ComputeServer, ProjectStatus } from '../compute/index.js';
import { parseHostPort } from '../tracker/client/index.js';
import { NodeError } from './errors.js';
import type { NodeLog } from './log.js';

export interface ComputeSpec {
  /** The project folder (made by `tandem compute keygen`). */
  project: string;
  /** HOST:PORT of the scheduler, files and uploads. */
  address: string;
  /** HOST:PORT of the seeding files server (files of 1 MiB and more become torrents), on the same host. */
  filesAddress?: string;
  /** Shell command run for each finished work unit. */
  assimilateHook?: string;
}

export interface ComputeInfo {
  project: string;
  url: string;
  filesUrl: string | null;
  schedulerRequests: number;
  instancesReported: number;
  instancesDispatched: number;
  /** Bytes the files server sent (HTTP bodies and peer uploads), when there is one. */
  filesSentBytes: number;
}

export class NodeCompute {
  private server?: ComputeServer;
  private info?: { project: string; url: string; filesUrl: string | null };

  constructor(private readonly log: NodeLog) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(spec: ComputeSpec): Promise<ComputeInfo> {
    if (this.server) throw new NodeError('NODE_SERVER', 'a compute project is already running; stop it first', 'input');
    const at = address(spec.address, 'compute');
    const files = spec.filesAddress === undefined ? undefined : address(spec.filesAddress, 'compute files');
    if (files && files.host !== at.host) throw new NodeError('NODE_BAD_ARGUMENT', 'the compute files server must use the scheduler\'s host', 'input');
    const { ComputeServer } = await import('../compute/index.js');
    const server = new ComputeServer({
      projectDir: spec.project, host: at.host, port: at.port, filesPort: files?.port, assimilateHook: spec.assimilateHook,
      onError: (err) => this.log.warn(`compute: ${(err as Error).message}`),
    });
    try {
      const { url, filesUrl } = await server.start();
      this.server = server;
      this.info = { project: spec.project, url, filesUrl: filesUrl ?? null };
    } catch (err) {
      throw new NodeError('NODE_SERVER', `compute project ${spec.project}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    return this.describe();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.info = undefined;
    await server?.stop();
  }

  /** The running project and its counters; a NODE_NOT_FOUND when none runs. */
  describe(): ComputeInfo {
    if (!this.server || !this.info) throw new NodeError('NODE_NOT_FOUND', 'no compute project is running', 'input');
    const sent = this.server.filesSent();
    return { ...this.info, ...this.server.counters(), filesSentBytes: sent ? sent.httpBodyBytes + sent.peerBytes : 0 };
  }

  /** Work units, instances, hosts and credit, as `tandem compute status --json` shows them. */
  status(detail = false): ComputeInfo & { status: ProjectStatus } {
    const info = this.describe();
    return { ...info, status: this.server!.status(detail) };
  }
}

function address(text: string, what: string): { host: string; port: number } {
  try {
    return parseHostPort(text);
  } catch {
    throw new NodeError('NODE_BAD_ARGUMENT', `${what}: "${text}" is not HOST:PORT`, 'input');
  }
}
