// The /etc/fstab line that persists the shared controller storage, and fstab with it in place.

/** fstab fields escape blanks as octal (\040 for a space), as mount(8) reads them. */
const field = (s: string) => s.replace(/[\s\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

export interface ShareMount {
  type: 'sshfs' | 'nfs';
  source: string;
  mountPoint: string;
  /** Mount options as the mount command takes them (sshfs -o / mount -o). */
  options: string;
}

/** `source mountpoint type options 0 0`; _netdev so boot waits for the network before mounting. */
export function fstabLine(m: ShareMount): string {
  const type = m.type === 'sshfs' ? 'fuse.sshfs' : 'nfs';
  const opts = m.options.split(',').includes('_netdev') ? m.options : `${m.options},_netdev`;
  return `${field(m.source)} ${field(m.mountPoint)} ${type} ${opts} 0 0`;
}

/** fstab with `line` as the only entry for its mount point (an older entry for it replaced), or null when it is there. */
export function withFstabLine(current: string | null, line: string): string | null {
  const lines = (current ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const point = line.split(' ')[1];
  const isEntry = (l: string) => !/^\s*#/.test(l) && l.trim().split(/\s+/)[1] === point;
  if (lines.filter(isEntry).length === 1 && lines.includes(line)) return null;
  const at = lines.findIndex(isEntry);
  const rest = lines.filter((l) => !isEntry(l));
  if (at < 0) rest.push(line);
  else rest.splice(at, 0, line);
  return `${rest.join('\n')}\n`;
}
