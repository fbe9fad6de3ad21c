/**
 * Storage of a torrent's pieces: a narrow interface (read and write at a piece offset, hash a piece), a file
 * backend with positional I/O through a small cache of handles, a memory backend, and resume data.
 *
 * @example
 *   const storage = new FileStorage('/downloads', meta);
 *   await storage.open(meta.files.map((_, i) => i));
 *   const { have } = await checkExisting('/downloads', meta, meta.infoHashV1!, storage);
 */
export { type PieceStorage } from './interface.js';
export { FileStorage, filePath, DEFAULT_MAX_OPEN_FILES, type FileStorageOptions } from './file-storage.js';
export { MemoryStorage } from './memory-storage.js';
export { PieceLayout, type Span } from './layout.js';
export { StorageError, type StorageErrorCode } from './errors.js';
export { saveResume, loadResume, deleteResume, checkExisting, resumePath, snapshotResume, validResume, type ResumeData, type ResumeBackend, type CheckResult, type CheckOptions } from './resume.js';
export { verifyOnDisk, diskHashPlan, type VerifyOptions } from './verify.js';
