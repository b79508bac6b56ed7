// Failures of a kato command: printed as "Error: ..." (plus a hint); the exit code depends on the version.
export class KatoError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'KatoError';
  }
}

export const fail = (message: string, hint?: string): never => {
  throw new KatoError(message, hint);
};
