import { TandemError } from '../util/errors.js';
import type { GetFlags } from './commands/get.js';

/** `tandem get` for TFTP sources. Not built yet: fails with exit 1 and says so. */
export async function getTftp(source: string, _flags: GetFlags): Promise<number> {
  throw new TandemError('CLI_NOT_BUILT', `downloading TFTP sources is not built yet (${source})`, 'runtime');
}
