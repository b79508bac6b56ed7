// The core's part of a core IP change, per kato version (reference/kato.md 2.7, 2.10; the setup guide for 2.x).
import { exec, kato, raw, reconnect, semver, sh, type Plan, type Step } from '../../src/sdk.js';
import type { KatoInfo, KatoSeries } from '../facts/kato.js';
import { mbusKeySteps, mbusKeysByHand } from './mbus-keys.js';

export interface CoreMove {
  old_ip: string;
  new_ip: string;
  netmask: string;
  gateway?: string | undefined;
  interface: string;
  timeout: number;
  /** The DNS lists the new stanza keeps: given as params, else read from the node's interfaces file. */
  dns_nameservers: string[];
  dns_search_domains: string[];
}

export interface CoreFacts {
  version: string;
  series: KatoSeries;
  info: KatoInfo;
  /** "component path" -> value of the message-bus keys, read when kato leaves them to be set by hand. */
  mbusKeys?: Record<string, unknown>;
}

/** The answers to `kato op static_ip`'s prompts, in their documented order (2.x lists comma-separated). */
function promptAnswers(p: CoreMove, series: KatoSeries): string {
  const sep = series === '2.x' ? ',' : ' ';
  return [p.new_ip, p.netmask, p.gateway!, p.dns_nameservers.join(sep), p.dns_search_domains.join(sep)]
    .map((a) => `${a}\n`)
    .join('');
}

/**
 * kato asks for stackato's password when it changes the network (reference/kato.md 2.10) and a kato command
 * gets the become password as the last line of its input (Command.ownSudo). The move runs detached from the
 * session, so its wrapper reads that line first and hands it to each program that asks.
 */
const PW = 'STACKPLAY_BECOME_PW';
const answering = (cmd: string, before = '') => `{ ${before}printf '%s\\n' "$${PW}"; } | ${cmd}`;

/**
 * The address change, as one shell command. 3.2+: the non-interactive flags, and kato migrates the config
 * itself. 3.0-3.1: the prompts (kato migrates after them), then a network restart. 2.x: the prompts and a
 * network restart first, then `kato node migrate` (the guide: run it once the core's IP has changed).
 */
function moveCommand(f: CoreFacts, p: CoreMove): string {
  if (semver.gte(f.version, '3.2.0'))
    return answering(
      sh`kato op static_ip --interface=${p.interface} --ip=${p.new_ip} --netmask=${p.netmask} --gateway=${p.gateway!} --dns-nameservers=${p.dns_nameservers.join(' ')} --dns-search-domains=${p.dns_search_domains.join(' ')} --restart-network`
        .text,
    );
  const prompts = [
    answering('kato op static_ip', sh`printf %s ${promptAnswers(p, f.series)}; `.text),
    answering("sudo -S -p '' /etc/init.d/networking restart"),
  ].join(' && ');
  return f.series === '2.x'
    ? `${prompts} && ${answering(sh`kato node migrate ${p.old_ip} ${p.new_ip}`.text)}`
    : prompts;
}

/** Until `kato info` reports the new mbus IP (under any of the names it has used) and every process is up. */
function readiness(p: CoreMove): Step {
  const mbus = `"(mbusip|mbus_ip|core_ip)": *"${p.new_ip.replace(/\./g, '\\.')}"`;
  return exec(
    `wait until the core's config uses ${p.new_ip} and its processes are ready`,
    kato`i=0; until kato info --json | grep -Eq ${mbus}; do i=$((i+1)); [ $i -ge ${p.timeout} ] && exit 1; sleep 1; done; kato process ready --block ${p.timeout} all | grep -qx READY`,
  );
}

export function planCore(f: CoreFacts, p: CoreMove): Plan {
  const { info } = f;
  const keys = mbusKeysByHand(f.version);
  if (info.ip === p.new_ip && info.mbusip === p.new_ip) {
    const fix = keys ? mbusKeySteps(p.new_ip, f.mbusKeys) : [];
    return fix.length ? { steps: fix } : { steps: [], note: `the core is at ${p.new_ip}` };
  }
  // An earlier run moved the address but did not migrate the config (cut off in between).
  if (info.ip === p.new_ip && info.mbusip === p.old_ip)
    return {
      steps: [
        exec(`~ core config: ${p.old_ip} -> ${p.new_ip}`, kato`kato node migrate ${p.old_ip} ${p.new_ip}`),
        readiness(p),
        ...(keys ? mbusKeySteps(p.new_ip, undefined) : []),
      ],
    };
  if (info.ip !== p.old_ip || info.mbusip !== p.old_ip || !info.assigned.includes('primary'))
    return {
      steps: [],
      fail: `this is not the core at ${p.old_ip}: kato info reports node ip ${info.ip || '(none)'}, mbus ip ${info.mbusip ?? '(none)'}, roles ${info.assigned.join(' ') || '(none)'}`,
    };
  if (!p.gateway) return { steps: [], fail: 'the core needs a gateway for its new address' };
  const detached = kato`IFS= read -r ${raw(PW)} || true; export ${raw(PW)}; setsid nohup sh -c ${`sleep 1; ${moveCommand(f, p)}`} >"$HOME/stackplay-migrate.log" 2>&1 </dev/null &`;
  const dns = `dns ${p.dns_nameservers.join(' ') || '(none)'}, search ${p.dns_search_domains.join(' ') || '(none)'}`;
  return {
    steps: [
      exec(
        `~ core address: ${info.ip} -> ${p.new_ip} (${p.interface} static, ${dns}; then the config follows: kato node migrate ${p.old_ip} ${p.new_ip})`,
        detached,
      ),
      reconnect(p.new_ip, p.timeout),
      readiness(p),
      ...(keys ? mbusKeySteps(p.new_ip, undefined) : []),
    ],
  };
}
