// The module registry: every module stackplay knows, by its YAML key. Explicit on purpose, no directory scanning.
import type { Module } from '../src/sdk.js';
import { assert } from './assert.js';
import { command } from './command.js';
import { copy } from './copy.js';
import { debug } from './debug.js';
import { file } from './file.js';
import { shell } from './shell.js';
import { template } from './template.js';
import { waitFor } from './wait_for.js';

const generic: Module[] = [command, shell, copy, file, template, waitFor, assert, debug];

// The Stackato modules (modules/stackato/*.ts) are added here, after the generic ones.
const stackato: Module[] = [];

export const modules: ReadonlyMap<string, Module> = new Map([...generic, ...stackato].map((m) => [m.name, m]));
