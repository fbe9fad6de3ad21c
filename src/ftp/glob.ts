/**
 * Wildcards in a LIST or NLST argument (`*.txt`, `sub/f?.bin`), as ftp(1)'s mget and many servers use them: only
 * `*` (any run of characters) and `?` (one character), only in the last segment, so a pattern lists one folder
 * that the usual path rules have already confined. Pure.
 */

/** A pattern longer than this is taken literally (a file name is at most 255 bytes anyway). */
const MAX_PATTERN_CHARS = 255;

/** `arg` split into its folder and a wildcard last segment, or undefined when it has no wildcard there. */
export function splitGlob(arg: string): { dir: string; pattern: string } | undefined {
  const slash = arg.lastIndexOf('/');
  const pattern = arg.slice(slash + 1);
  if (pattern.length > MAX_PATTERN_CHARS || !/[*?]/.test(pattern)) return undefined;
  return { dir: arg.slice(0, slash + 1), pattern };
}

/**
 * Whether `name` matches `pattern`. Greedy with one backtrack point (the last `*`), so the time is at most
 * pattern × name steps whatever the pattern: no regular expression that a run of stars could make explode.
 */
export function globMatch(pattern: string, name: string): boolean {
  const p = [...pattern];
  const n = [...name];
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < n.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === n[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
