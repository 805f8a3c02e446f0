/**
 * The metrics `validations` rules measure, as one table: a new metric (e.g. a video's duration from
 * its MP4 header) is one row here plus the probe's header parser for it. The rule parser reads the
 * aliases, the validator the probe needs, the evaluator the value, and the README's list is checked
 * against `metricsMarkdown()`.
 */
/** The media a rule can be about. */
export type MediaKind = "image" | "video" | "audio";

/** What a probe measured. Missing fields were not measurable for that media. */
export interface MediaMetrics {
  sizeBytes?: number;
  width?: number;
  height?: number;
  durationSeconds?: number;
}

/**
 * The readings a probe can be asked for: `dimensions` (width and height, from an image header),
 * `size` (bytes, from Content-Length or Content-Range, or by counting), `duration` (seconds, from a
 * video or audio header; the probe reads none yet, so such rules are reported unchecked). The
 * validator passes `probeNeedsOf(...)` to `probeMedia` whole: a probe that learns a reading reads its
 * flag there (e.g. `needs.duration`) and returns the value under its `MediaMetrics` name.
 */
export type ProbeNeed = "dimensions" | "size" | "duration";
export const PROBE_NEEDS: readonly ProbeNeed[] = ["dimensions", "size", "duration"];

/** Bytes per megabyte in `file_size_mb` rules: binary megabytes (MiB), as file pickers and Python's `/ 1024 / 1024` count. */
export const BYTES_PER_MB = 1024 * 1024;
export const BYTES_PER_KB = 1024;

export interface MetricDefinition {
  /** Names schemas write for it (matched case-insensitively), the canonical name among them. */
  aliases: readonly string[];
  /** The probe reading it is computed from. */
  probe: ProbeNeed;
  /** Media that have it: a rule measuring anything else can never be checked on that media. */
  media: readonly MediaKind[];
  /** Its value from what the probe measured; undefined when that was not measured. */
  value: (m: MediaMetrics) => number | undefined;
  /** What it means, for the README's list. */
  meaning: string;
}

const perUnit = (bytes: number | undefined, unit: number) => (bytes === undefined ? undefined : bytes / unit);

export const METRICS = Object.freeze({
  width: {
    aliases: ["width", "width_pixels", "width_px"],
    probe: "dimensions",
    media: ["image", "video"],
    value: (m) => m.width,
    meaning: "width in pixels",
  },
  height: {
    aliases: ["height", "height_pixels", "height_px"],
    probe: "dimensions",
    media: ["image", "video"],
    value: (m) => m.height,
    meaning: "height in pixels",
  },
  file_size_bytes: {
    aliases: ["file_size", "file_size_bytes", "file_size_b"],
    probe: "size",
    media: ["image", "video", "audio"],
    value: (m) => m.sizeBytes,
    meaning: "file size in bytes",
  },
  file_size_kb: {
    aliases: ["file_size_kb"],
    probe: "size",
    media: ["image", "video", "audio"],
    value: (m) => perUnit(m.sizeBytes, BYTES_PER_KB),
    meaning: "file size in binary kilobytes (1 KB = 1 024 bytes)",
  },
  file_size_mb: {
    aliases: ["file_size_mb"],
    probe: "size",
    media: ["image", "video", "audio"],
    value: (m) => perUnit(m.sizeBytes, BYTES_PER_MB),
    meaning: "file size in binary megabytes (1 MB = 1 048 576 bytes)",
  },
  duration_seconds: {
    aliases: ["duration", "duration_seconds", "duration_s"],
    probe: "duration",
    media: ["video", "audio"],
    value: (m) => m.durationSeconds,
    meaning: "duration in seconds (not measured yet: reported unchecked)",
  },
} as const satisfies Record<string, MetricDefinition>);

/** A canonical metric name: a key of the table. */
export type Metric = keyof typeof METRICS;

export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

/** Metric names as schemas write them (lower case) → the canonical metric. */
export const METRIC_ALIASES: Readonly<Record<string, Metric>> = Object.freeze(
  Object.fromEntries(METRIC_NAMES.flatMap((name) => METRICS[name].aliases.map((alias) => [alias, name]))),
);

/** The canonical metric a schema's name means (case-insensitive), or undefined. */
export const metricByAlias = (name: string): Metric | undefined => {
  const key = name.toLowerCase();
  return Object.hasOwn(METRIC_ALIASES, key) ? METRIC_ALIASES[key] : undefined;
};

export const metricValue = (name: Metric, m: MediaMetrics): number | undefined =>
  (METRICS[name] as MetricDefinition).value(m);

/** Which probe readings a set of metrics needs. */
export function probeNeedsOf(metrics: Iterable<Metric>): Record<ProbeNeed, boolean> {
  const needs = Object.fromEntries(PROBE_NEEDS.map((need) => [need, false])) as Record<ProbeNeed, boolean>;
  for (const name of metrics) needs[METRICS[name].probe] = true;
  return needs;
}

/** Whether a medium has the metric (a video has a duration, an image has none). */
export const mediaHasMetric = (media: MediaKind, name: Metric): boolean =>
  (METRICS[name].media as readonly MediaKind[]).includes(media);

/** The README's table of metrics (a test keeps the README equal to it). */
export function metricsMarkdown(): string {
  const rows = METRIC_NAMES.map((name) => {
    const row: MetricDefinition = METRICS[name];
    const code = (s: string) => `\`${s}\``;
    return `| ${code(name)} | ${row.aliases
      .filter((a) => a !== name)
      .map(code)
      .join(", ")} | ${row.meaning} | ${row.media.join(", ")} |`;
  });
  return [
    "| metric | also written | what it measures | media that have it |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
