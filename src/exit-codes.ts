// Exit codes of the CLI contract (DESIGN.md section 2).
export const ExitCode = {
  ok: 0,
  internal: 1,
  hostFailed: 2,
  unreachable: 3,
  invalidInput: 4,
  badOptions: 5,
  interrupted: 99,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
