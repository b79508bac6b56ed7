// The loaded inventory: hosts and groups as written, with where each was defined.
import type { Span } from '../errors.js';
import type { HostConnection } from '../transport/connection.js';

export interface InventoryHost {
  name: string;
  /** Vars set on the host itself (inline INI vars, YAML host vars, [host_vars] not supported). */
  vars: Record<string, unknown>;
  /** Groups that list this host directly (not their ancestors). */
  groups: string[];
  at?: Span;
  /** Where each var was set, when known (for diagnostics about a var's value). */
  varSpans?: Record<string, Span>;
  /** Ansible's implicit localhost: made for a pattern that names it when no inventory does; in no group, not in `all`. */
  implicit?: boolean;
}

export interface InventoryGroup {
  name: string;
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  at?: Span;
  /** Where each var was set, when known. */
  varSpans?: Record<string, Span>;
  /** Where each child was listed under this group, when known (cycle reports point there). */
  childAt?: Record<string, Span>;
}

export interface Inventory {
  /** In order of first appearance. */
  hosts: Map<string, InventoryHost>;
  /** Always has `all` and `ungrouped`. */
  groups: Map<string, InventoryGroup>;
  sources: string[];
}

/** A host as the engine sees it: every group it belongs to (ancestors included) and its merged vars. */
export interface ResolvedHost {
  name: string;
  groups: string[];
  vars: Record<string, unknown>;
  /** How to reach it, resolved once when the run loaded (src/engine/hosts.ts); absent before that. */
  connection?: HostConnection;
}
