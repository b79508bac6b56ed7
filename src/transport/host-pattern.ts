// OpenSSH host patterns: `*` and `?` wildcards, `!` negation, compared without regard to case.
import { globMatcher } from '../inventory/glob.js';

/** One pattern, no negation: `web*`, `10.0.0.?`, `[host]:2222`. */
export const matchesGlob = (name: string, glob: string): boolean =>
  globMatcher(glob.replace(/\[/g, '[[]'), { caseless: true })(name);

/**
 * A pattern list as in `Host a b !c` or a known_hosts `a,b,!c`: true when a positive pattern
 * matches and no negated one does.
 */
export function matchesPatternList(name: string, patterns: readonly string[]): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchesGlob(name, p.slice(1))) return false;
    } else if (matchesGlob(name, p)) {
      hit = true;
    }
  }
  return hit;
}
