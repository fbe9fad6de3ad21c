import type { Node } from '../node/index.js';

/**
 * The node's compute project over tandem's JSON-RPC: `compute.status` (what `tandem compute status --json` shows,
 * with the server's counters; `workUnits: true` lists every work unit), `compute.start` (no assimilation hook:
 * that is a shell command, for the configuration file only) and `compute.stop`.
 * Parameters are checked here; the node's typed errors carry the rest.
 */
type Params = Record<string, unknown>;

export class ComputeParamError extends Error {}

function text(p: Params, key: string, required: boolean): string | undefined {
  const v = p[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) throw new ComputeParamError(`${key} must be a string${required ? ' (required)' : ''}`);
  return v;
}

export const COMPUTE_METHODS: Record<string, (node: Node, params: Params) => unknown> = {
  'compute.status': (node, p) => {
    if (p.workUnits !== undefined && typeof p.workUnits !== 'boolean') throw new ComputeParamError('workUnits must be true or false');
    return node.compute.status(p.workUnits === true);
  },
  'compute.start': (node, p) => node.compute.start({
    project: text(p, 'project', true)!,
    address: text(p, 'address', true)!,
    filesAddress: text(p, 'filesAddress', false),
    // No assimilation hook from the API: it is a shell command, and only the daemon's configuration may name one.
  }),
  'compute.stop': async (node) => {
    await node.compute.stop();
    return {};
  },
};
