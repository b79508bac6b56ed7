// Entry of the kato emulator on lab nodes: `kato ARGS` (see reference/kato.md), `kato __serve ...` for the
// role daemons, or `kato __networking ACTION` for the node's /etc/init.d/networking. Exit codes: 1 on
// failure from 3.4.1 on; 2.x always exits 0 (bug 103719) unless the lab was made with strict exit codes or
// KATO_STRICT_EXIT=1 is set.
import { parseArgs, usageOf, type Parsed } from './args.js';
import { attach, detach, detachIfRemoved, reattach, remove, retire } from './cmd-attach.js';
import { configDel, configGet, configPushPop, configSet } from './cmd-config.js';
import { setupCore } from './cmd-core.js';
import { info, nodeList, roleList, version } from './cmd-info.js';
import { setupLoadBalancer } from './cmd-lb.js';
import { migrate, rename } from './cmd-node.js';
import { restart, roleAdd, roleRemove, start, stop } from './cmd-role.js';
import { staticIp } from './cmd-static-ip.js';
import { processList, processReady, status } from './cmd-status.js';
import { COMMANDS } from './commands.js';
import { stdinPrompt, type Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { flavorOf, type Flavor } from './flavor.js';
import { networking } from './init-networking.js';
import { moveAddress } from './network.js';
import { loadIdentity, loadState, ownIp } from './node.js';
import { serve } from './serve.js';

type Handler = (ctx: Ctx, p: Parsed) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  version,
  info,
  status,
  'node list': nodeList,
  'role list': roleList,
  'node setup core': setupCore,
  'node setup load_balancer': setupLoadBalancer,
  'node attach': attach,
  'node reattach': reattach,
  'node detach': detach,
  'node retire': retire,
  'node remove': remove,
  'node rename': rename,
  'node migrate': migrate,
  'role add': roleAdd,
  'role remove': roleRemove,
  start,
  stop,
  restart,
  'op static_ip': staticIp,
  'process list': processList,
  'process ready': processReady,
  'config get': configGet,
  'config set': configSet,
  'config del': configDel,
  'config push': configPushPop,
  'config pop': configPushPop,
  help: async (ctx, p) =>
    ctx.out(
      `${usageOf(
        COMMANDS.filter((c) => !c.when || c.when(ctx.flavor)),
        p.args,
        ctx.flavor,
      )}\n`,
    ),
};

/** Commands that never touch the cluster, so a removed node does not detach itself while running them. */
const LOCAL_ONLY = new Set(['version', 'help']);

export async function runKato(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => {
    process.stdout.write(s);
  };
  const err = (s: string) => {
    process.stderr.write(s);
  };
  let flavor: Flavor | undefined;
  let strict = env.KATO_STRICT_EXIT === '1';
  try {
    // kato.md section 2: run kato as stackato, not root; root scripts reach it through `su -l stackato -c`
    // (section 3.1). The reference gives no behaviour for root, so the lab takes the rule at its word.
    if (process.getuid?.() === 0)
      throw new KatoError(
        'kato must be run as the stackato user, not root',
        "log in as stackato, or from root: su -l stackato -c 'kato ...'",
      );
    const id = loadIdentity();
    flavor = flavorOf(id.katoVersion);
    strict ||= id.strictExitCodes;
    const parsed = parseArgs(argv, COMMANDS, flavor);
    const key = parsed.spec.words.join(' ');
    const ctx: Ctx = { flavor, id, state: loadState(flavor), ip: ownIp(id), out, err, prompt: stdinPrompt(out), env };
    if (!LOCAL_ONLY.has(key)) await detachIfRemoved(ctx);
    await HANDLERS[key]!(ctx, parsed);
    return 0;
  } catch (e) {
    if (e instanceof KatoError) {
      err(`Error: ${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}${e.usage ? `${e.usage}\n` : ''}`);
    } else {
      err(`Error: ${(e as Error).message ?? String(e)}\n`);
    }
    return !flavor || flavor.exitCodes || strict ? 1 : 0;
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '__serve') {
  serve(argv.slice(1));
} else if (argv[0] === '__move-address') {
  // Run by kato through sudo (as root): eth0 to the address `op static_ip --restart-network` wrote.
  const [iface, ip, netmask, gateway, oldIp] = argv.slice(1);
  try {
    moveAddress(loadIdentity(), { iface: iface!, ip: ip!, netmask: netmask!, ...(gateway ? { gateway } : {}) }, oldIp!);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
} else if (argv[0] === '__networking') {
  const code = networking(
    argv.slice(1),
    (s) => {
      process.stdout.write(s);
    },
    (s) => {
      process.stderr.write(s);
    },
  );
  process.stdout.write('', () => process.exit(code));
} else {
  const code = await runKato(argv, process.env);
  process.stdout.write('', () => process.exit(code));
}
