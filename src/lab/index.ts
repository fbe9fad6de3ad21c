// The lab's face for the CLI: measured runs in network namespaces, the simulation, and the report's parts.
export { boundClientServer, boundPeerToPeer, startupFloor, uniformBounds, type BoundInput, type FloorInput } from './bounds.js';
export { LabError, type LabErrorCode } from './errors.js';
export { runLab, writeOutputs } from './experiment.js';
export { takeLock, LOCK_PATH } from './lock.js';
export { destroySync, listNamespaces, prefixFor, removeStale, LAB_PREFIX } from './netns.js';
export { ProcessSet } from './processes.js';
export { isReferenceMode, missingPrograms, requirePrograms } from './reference-peers.js';
export { parseCsv, runFloor, toCsv, toMarkdown, summarise, spread } from './report.js';
export { simulateLab } from './simulate-lab.js';
export { MAX_LAB_CLIENTS } from './simulate.js';
export { distributionSvg, uploadSvg } from './svg.js';
export type { LabParams, RunRecord, ShapingResult, UploadSeries } from './types.js';
export { MODES, parseClientCounts, parseModes, parseRate, type Mode } from './units.js';
