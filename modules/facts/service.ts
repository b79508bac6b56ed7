// Read-only probe of a service: the node's init system (systemd, upstart, sysvinit), whether it runs, whether it starts at boot.
import { defineFact, readOnly, sh } from '../../src/sdk.js';

export type InitSystem = 'systemd' | 'upstart' | 'sysv';

export type ServiceFacts =
  | { init: 'missing'; detected: InitSystem }
  | { init: InitSystem; running: boolean; enabled: boolean; status: string };

const MARK = '--- status ---';

/**
 * systemd when /run/systemd/system exists (as sd_booted() decides); else upstart when initctl is
 * there and /etc/init/NAME.conf exists; else a sysvinit script /etc/init.d/NAME. The status output
 * comes last, after a marker line, so whatever it prints cannot be taken for a key line.
 */
export const serviceState = defineFact({
  name: 'service_state',
  command: (name: string) => {
    const conf = `/etc/init/${name}.conf`;
    const override = `/etc/init/${name}.override`;
    const script = `/etc/init.d/${name}`;
    return readOnly(
      sh`if [ -d /run/systemd/system ]; then echo init=systemd; systemctl show -p LoadState -p ActiveState -p UnitFileState -- ${name}; elif command -v initctl >/dev/null 2>&1 && [ -f ${conf} ]; then echo init=upstart; if grep -qs '^manual' ${override}; then echo enabled=no; else echo enabled=yes; fi; echo ${MARK}; initctl status ${name} 2>&1; elif [ -f ${script} ]; then echo init=sysv; enabled=no; for f in /etc/rc?.d/S??${name}; do [ -e "$f" ] && enabled=yes; done; echo "enabled=$enabled"; if command -v service >/dev/null 2>&1; then out=$(service ${name} status 2>&1); else out=$(${script} status 2>&1); fi; echo "rc=$?"; echo ${MARK}; printf '%s\n' "$out"; elif [ -x /sbin/initctl ] || [ -x /usr/sbin/initctl ]; then echo missing=upstart; else echo missing=sysv; fi`,
    );
  },
  parse(out, name): ServiceFacts {
    if (out.code !== 0)
      throw new Error(`service ${name}: probe exited ${out.code ?? 'by a signal'}: ${out.stderr.trim()}`);
    const at = out.stdout.indexOf(`${MARK}\n`);
    const head = at < 0 ? out.stdout : out.stdout.slice(0, at);
    const status = at < 0 ? '' : out.stdout.slice(at + MARK.length + 1);
    const kv = Object.fromEntries(
      head
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (kv.missing) return { init: 'missing', detected: kv.missing as InitSystem };
    if (kv.init === 'systemd') {
      if (kv.LoadState === 'not-found') return { init: 'missing', detected: 'systemd' };
      return {
        init: 'systemd',
        running: ['active', 'activating', 'reloading'].includes(kv.ActiveState ?? ''),
        // As Ansible's systemd module: enabled, enabled-runtime, static, alias, indirect and generated count as enabled.
        enabled: ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'].includes(
          kv.UnitFileState ?? '',
        ),
        status: head,
      };
    }
    if (kv.init === 'upstart')
      return { init: 'upstart', running: /start\/running/.test(status), enabled: kv.enabled === 'yes', status };
    if (kv.init === 'sysv')
      return { init: 'sysv', running: sysvRunning(name, Number(kv.rc), status), enabled: kv.enabled === 'yes', status };
    throw new Error(`service ${name}: unexpected probe output ${JSON.stringify(out.stdout.slice(0, 200))}`);
  },
});

/** Ansible's sysvinit reading of `service NAME status`: a one-line answer's words first, then the exit code. */
export function sysvRunning(name: string, rc: number, output: string): boolean {
  const trimmed = output.replace(/\n$/, '');
  if (!trimmed.includes('\n')) {
    const clean = trimmed.toLowerCase().replaceAll(name.toLowerCase(), '');
    if (['stop', 'is dead ', 'dead but ', 'could not access pid file', 'inactive'].some((w) => clean.includes(w)))
      return false;
    if (['run', 'start', 'active'].some((w) => clean.includes(w)) && !clean.includes('not ')) return true;
  }
  return rc === 0;
}
