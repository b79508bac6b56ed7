// The module registry: every module stackplay knows, by its YAML key. Explicit on purpose, no directory scanning.
import type { Module } from '../src/sdk.js';
import { assert } from './assert.js';
import { command } from './command.js';
import { copy } from './copy.js';
import { debug } from './debug.js';
import { blockinfile } from './blockinfile.js';
import { lineinfile } from './lineinfile.js';
import { stat } from './stat.js';
import { service } from './service.js';
import { fetch } from './fetch.js';
import { setFact } from './set_fact.js';
import { file } from './file.js';
import { shell } from './shell.js';
import { template } from './template.js';
import { waitFor } from './wait_for.js';
import { setup } from './setup.js';
import { staticIp } from './stackato/static_ip.js';
import { rename } from './stackato/rename.js';
import { ownHostname } from './stackato/own_hostname.js';
import { coreSetup } from './stackato/core_setup.js';
import { nodeAttach } from './stackato/node_attach.js';
import { roleAdd } from './stackato/role_add.js';
import { roleRemove } from './stackato/role_remove.js';
import { nodeRemove } from './stackato/node_remove.js';
import { clusterMembers } from './stackato/cluster_members.js';
import { mountShared } from './stackato/mount_shared.js';
import { lbSetup } from './stackato/lb_setup.js';
import { firewall } from './stackato/firewall.js';
import { katoFacts } from './stackato/kato_facts.js';
import { migrateCoreIp } from './stackato/migrate_core_ip.js';
import { verifyNodes } from './stackato/verify_nodes.js';
import { configBackup } from './stackato/config_backup.js';

const generic: Module[] = [
  command,
  shell,
  copy,
  file,
  template,
  lineinfile,
  blockinfile,
  stat,
  service,
  fetch,
  waitFor,
  assert,
  debug,
  setFact,
  setup,
] as Module[];

// The Stackato modules, in the order a cluster is built.
const stackato: Module[] = [
  staticIp,
  rename,
  coreSetup,
  nodeAttach,
  ownHostname,
  roleAdd,
  roleRemove,
  nodeRemove,
  clusterMembers,
  mountShared,
  lbSetup,
  migrateCoreIp,
  firewall,
  verifyNodes,
  configBackup,
  katoFacts,
] as Module[];

export const modules: ReadonlyMap<string, Module> = new Map([...generic, ...stackato].map((m) => [m.name, m]));
