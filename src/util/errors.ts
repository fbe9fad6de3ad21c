/**
 * The base of every typed error in tandem. Each folder has its own `errors.ts` with a list of stable codes;
 * the CLI prints `message` as one line and maps `kind` to an exit code (input → 2, runtime → 1).
 */
export type ErrorKind = 'input' | 'runtime';

export class TandemError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TandemError';
    this.code = code;
    this.kind = kind;
  }
}

export function isTandemError(err: unknown): err is TandemError {
  return err instanceof TandemError;
}
