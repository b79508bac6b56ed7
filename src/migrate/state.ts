// The migration's progress on the controller: which nodes are done, so an interrupted run can resume.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type NodeProgress = 'pending' | 'done' | 'failed' | 'unreachable';

export interface MigrationState {
  oldIp: string;
  newIp: string;
  started: string;
  updated: string;
  /** host name -> progress, in the order the nodes migrate (core first). */
  nodes: Record<string, { status: NodeProgress; at?: string; error?: string }>;
}

export const statePath = (newIp: string, dir = '.stackplay'): string => join(dir, `migrate-${newIp}.json`);

export function readMigrationState(file: string): MigrationState | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as MigrationState;
}

/** Written atomically: a crash never leaves a half-written progress file. */
export function writeMigrationState(file: string, s: MigrationState): void {
  mkdirSync(dirname(file), { recursive: true });
  s.updated = new Date().toISOString();
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, file);
}

export function newMigrationState(oldIp: string, newIp: string, order: string[]): MigrationState {
  const now = new Date().toISOString();
  return {
    oldIp,
    newIp,
    started: now,
    updated: now,
    nodes: Object.fromEntries(order.map((n) => [n, { status: 'pending' as const }])),
  };
}

export const unfinished = (s: MigrationState): string[] =>
  Object.entries(s.nodes)
    .filter(([, v]) => v.status !== 'done')
    .map(([k]) => k);
