import type { FuzzTarget } from '../fuzz/target.js';

/** A decoder that never returns from an input starting with 0xfd: the fuzz watchdog's test target. */
const hangs: FuzzTarget = {
  name: 'hangs',
  about: 'loops forever on 0xfd',
  seeds: () => [Buffer.from('ok'), Buffer.from([0xfd, 1, 2])],
  run(input) {
    if (input[0] === 0xfd) for (;;);
  },
};

export function targetNamed(name: string): FuzzTarget | undefined {
  return name === hangs.name ? hangs : undefined;
}
