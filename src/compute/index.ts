/**
 * Shared computing (`tandem compute`): a project server that hands work units to volunteers, runs nothing itself,
 * and trusts no single answer; volunteers that run WebAssembly applications in a sandbox. The pure policies
 * (transitioner, validator, credit, quota) sit below the store, the scheduler, the server and the volunteer.
 *
 * @example
 *   const server = new ComputeServer({ projectDir: './proj', port: 8090 });
 *   await server.start();
 *   await new Volunteer({ projectUrl: 'http://127.0.0.1:8090/', cores: 2 }).run(signal);
 */
export { ComputeServer, type ComputeServerInit } from './server.js';
export { Volunteer, type VolunteerInit, type VolunteerEvent } from './volunteer.js';
export { openProject, projectPaths, addApplication, submitWorkUnit, writeKeys, type SubmitSpec, type ProjectPaths } from './project.js';
export { projectStatus, type ProjectStatus } from './status.js';
export { generateSigningKeys } from './signing.js';
export { runSandboxed, type SandboxResult, type SandboxRun } from './sandbox/sandbox.js';
export { decodeBundle, encodeBundle } from './sandbox/bundle.js';
export { parseSchedulerRequest, parseSchedulerReply, type SchedulerRequest, type SchedulerReply } from './protocol.js';
export { ComputeError, type ComputeErrorCode } from './errors.js';
export { COMPUTE_DEFAULTS } from './defaults.js';
