/**
 * The terminal statuses the emulator can end a job in: those RunComfy's official clients handle, and
 * `error`, which none of them reads as an end (the official CLI keeps polling it), to test a client's
 * reading of a status the docs do not list. Apart from emulator.ts so `mock-server --help` can list
 * them without loading it.
 */
export const END_STATUSES = ["completed", "succeeded", "failed", "error", "cancelled", "canceled"] as const;
export type EndStatus = (typeof END_STATUSES)[number];
export const isEndStatus = (s: unknown): s is EndStatus =>
  typeof s === "string" && (END_STATUSES as readonly string[]).includes(s);
