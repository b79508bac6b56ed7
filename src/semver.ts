// semver, loaded on first use: most runs compare no version, and loading it costs tens of ms at every start.
import { createRequire } from 'node:module';
import type SemverType from 'semver';

let lib: typeof SemverType | undefined;
const load = (): typeof SemverType => (lib ??= createRequire(import.meta.url)('semver') as typeof SemverType);

/** The semver package, as its default export, required when a function of it is first called. */
export const semver: typeof SemverType = new Proxy({} as typeof SemverType, {
  get: (_target, name) => load()[name as keyof typeof SemverType],
});
