/**
 * A large data URI through validation, each measurement in a fresh process (bench/data-uri-child.ts):
 * the time the call held the event loop and the peak memory it added, for the generated package's
 * `validate` and for what a Node user would write without it (Buffer.from(payload, "base64") and
 * probe-image-size's sync reader), interleaved.
 */
import { child, fmt, median, type Row } from "../stats.js";

/** The data URI's payload: a phone photo's size, under the 64 MiB RunComfy's clients send. */
export const DATA_URI_MIB = 60;

interface Sample {
  ms: number;
  peakAddedBytes: number;
  stringBytes: number;
  outcome: string;
}

/** What validation must say: the image's 4000×3000 passes the dimension rules, its 60 MiB fails the 30 MB cap. */
const EXPECTED_OUTCOME = `error file_size_mb< ${DATA_URI_MIB}`;

const mib = (n: number) => `${fmt(n / 1048576, 1)} MiB`;

export function benchDataUri(runs: number, log: (s: string) => void): Row[] {
  log(`validate of a ${DATA_URI_MIB} MiB data URI, fresh processes…`);
  const samples = { ours: [] as Sample[], buffer: [] as Sample[] };
  for (let r = 0; r < runs; r++)
    for (const side of r % 2 ? (["buffer", "ours"] as const) : (["ours", "buffer"] as const))
      samples[side].push(child<Sample>("data-uri-child.js", [side, String(DATA_URI_MIB)]));
  const m = (side: keyof typeof samples, key: "ms" | "peakAddedBytes") => median(samples[side].map((s) => s[key]));
  const stringBytes = samples.ours[0].stringBytes;
  const outcome = samples.ours[0].outcome;
  const ms = m("ours", "ms");
  const peak = m("ours", "peakAddedBytes");
  return [
    {
      section: "data URI",
      metric: `validate, one ${DATA_URI_MIB} MiB image as a data URI (a ${mib(stringBytes)} string), fresh process: event loop held, peak memory added`,
      ours: `${fmt(ms)} ms, +${mib(peak)} (${fmt(peak / stringBytes, 2)}× the string); issues: ${outcome}`,
      baseline: `Buffer.from(base64) + probe-image-size sync: ${fmt(m("buffer", "ms"))} ms, +${mib(m("buffer", "peakAddedBytes"))}`,
      ratio: `${fmt(ms / m("buffer", "ms"), 2)}× time, ${fmt(peak / Math.max(1, m("buffer", "peakAddedBytes")), 2)}× memory (${runs} processes a side)`,
      target: "≤ 100 ms, ≤ 2× the string's memory",
      met: ms <= 100 && peak <= 2 * stringBytes && outcome === EXPECTED_OUTCOME ? "yes" : "no",
    },
  ];
}
