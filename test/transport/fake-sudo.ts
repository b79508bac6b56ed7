// A stand-in for sudo (not installed on every test machine): logs its arguments, checks a password
// on -S like sudo does (one line of stdin, the rest left for the command), switches user with setpriv.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `#!/bin/sh
printf '%s\\n' "$*" >> "\${FAKE_SUDO_LOG:-/dev/null}"
mode=n; user=root
while [ $# -gt 0 ]; do
  case "$1" in
    -n) mode=n; shift ;;
    -S) mode=S; shift ;;
    -p) shift 2 ;;
    -u) user=$2; shift 2 ;;
    -H) shift ;;
    --) shift; break ;;
    -*) echo "fake sudo: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done
if [ -n "$FAKE_SUDO_PASSWORD" ]; then
  if [ "$mode" = n ]; then echo "sudo: a password is required" >&2; exit 1; fi
  IFS= read -r given || true
  if [ "$given" != "$FAKE_SUDO_PASSWORD" ]; then echo "Sorry, try again." >&2; exit 1; fi
fi
HOME=$(getent passwd "$user" | cut -d: -f6); export HOME
[ "$user" = root ] && exec "$@"
exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
`;

/** Writes DIR/bin/sudo and returns DIR/bin (put it first on PATH). */
export function installFakeSudo(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sudo'), SCRIPT);
  chmodSync(join(bin, 'sudo'), 0o755);
  return bin;
}
