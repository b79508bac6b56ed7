// Processes found by parent PID in /proc (never by name), for tests that end what they started.
import { readdirSync, readFileSync, statSync } from 'node:fs';

/** Parent PID → child PIDs of every process now running. */
function childMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* ended while we looked */
    }
  }
  return children;
}

/** The direct children of `pid`. */
export const childrenOf = (pid: number): number[] => childMap().get(pid) ?? [];

/** Every process under `pid`; with `keep`, only through processes it accepts (e.g. sshd ones). */
export function descendantsOf(pid: number, keep: (pid: number) => boolean = () => true): number[] {
  const children = childMap();
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? [])
      if (keep(c)) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

/** The process's command name, '' once it is gone. */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The processes that hold `path` open now (matched by device and inode, so any mount namespace's view counts); none once it is gone. */
export function openersOf(path: string): number[] {
  let target: ReturnType<typeof statSync>;
  try {
    target = statSync(path);
  } catch {
    return []; // gone: nobody holds it
  }
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended while we looked
    }
    for (const fd of fds) {
      try {
        const s = statSync(`/proc/${pid}/fd/${fd}`);
        if (s.ino === target.ino && s.dev === target.dev) {
          out.push(Number(pid));
          break;
        }
      } catch {
        /* closed while we looked */
      }
    }
  }
  return out;
}
