/** Commander option parser for a repeatable flag (`-t A -t B`): collects every value in order. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
