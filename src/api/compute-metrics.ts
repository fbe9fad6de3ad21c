import type { Node } from '../node/index.js';

/**
 * The node's compute project in Prometheus text: global series only (work units and instances by state, hosts,
 * credit, scheduler counters, bytes the files server sent), none per host or work unit. Nothing when no project runs.
 */
export function computeMetricLines(node: Node): string[] {
  if (!node.compute.running) return [];
  const { status, ...info } = node.compute.status();
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [labels: string, value: number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const byState = (counts: Record<string, number>): [string, number][] => Object.entries(counts).map(([k, n]) => [`{state="${k.replace(/["\\\n]/g, '_')}"}`, n]);
  metric('tandem_compute_work_units', 'gauge', 'Work units of the compute project, by state.', byState(status.workUnits));
  metric('tandem_compute_instances', 'gauge', 'Instances (copies sent to volunteers), by server state, outcome and validation.', byState(status.instances));
  metric('tandem_compute_hosts', 'gauge', 'Volunteer hosts known to the project.', [['', status.hosts.length]]);
  metric('tandem_compute_credit_total', 'counter', 'Credit granted to every host.', [['', status.hosts.reduce((n, h) => n + h.totalCredit, 0)]]);
  metric('tandem_compute_scheduler_requests_total', 'counter', 'Scheduler calls answered since start.', [['', info.schedulerRequests]]);
  metric('tandem_compute_instances_dispatched_total', 'counter', 'Instances handed out since start.', [['', info.instancesDispatched]]);
  metric('tandem_compute_instances_reported_total', 'counter', 'Finished instances reported since start.', [['', info.instancesReported]]);
  metric('tandem_compute_files_sent_bytes_total', 'counter', 'Bytes the files server sent (HTTP bodies and peer uploads).', [['', info.filesSentBytes]]);
  return lines;
}
