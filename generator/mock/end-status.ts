/**
 * The terminal statuses the emulator can end a job in: those RunComfy's official clients handle.
 * Apart from emulator.ts so the `mock-server` command can list them in `--help` without loading it.
 */
export const END_STATUSES = ["completed", "succeeded", "failed", "error", "cancelled", "canceled"] as const;
export type EndStatus = (typeof END_STATUSES)[number];
export const isEndStatus = (s: unknown): s is EndStatus =>
  typeof s === "string" && (END_STATUSES as readonly string[]).includes(s);
