// How long kato's setup and attach take on the lab, and the STARTING window of the roles they start
// (kato.md section 2: `kato process ready [--block N]` prints READY once every process is up; section 2.12:
// roles show as running, stopped or starting). Set per lab (`lab up --setup-seconds/--starting-seconds`)
// or per command (KATO_SETUP_SECONDS, KATO_STARTING_SECONDS).
import type { Ctx } from './ctx.js';

function seconds(ctx: Ctx, env: string, fallback: number): number {
  const raw = ctx.env[env];
  const v = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Setup/attach work itself: the command returns after this. */
export async function takeSetupTime(ctx: Ctx): Promise<void> {
  const s = seconds(ctx, 'KATO_SETUP_SECONDS', ctx.id.setupSeconds ?? 0);
  if (s > 0) await new Promise((r) => setTimeout(r, s * 1000));
}

/** Until when the roles just started show STARTING (epoch ms). */
export const startingUntil = (ctx: Ctx): number =>
  Date.now() + seconds(ctx, 'KATO_STARTING_SECONDS', ctx.id.startingSeconds ?? 0) * 1000;

export const isStarting = (until: number | undefined): boolean => until !== undefined && Date.now() < until;
