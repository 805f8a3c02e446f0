/**
 * The metrics table is all a metric takes: every row's aliases parse, its probe reading is requested,
 * its value is computed, and the README lists it. A new row is covered by these tests as it stands.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jpeg } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { parseRule } from "../../generator/normalize/rule-parser.js";
import {
  METRIC_ALIASES,
  METRIC_NAMES,
  METRICS,
  type MetricDefinition,
  metricsMarkdown,
  metricValue,
  PROBE_NEEDS,
  probeNeedsOf,
} from "../../generator/runtime/validation/metrics.js";
import { validateModelInput, type ModelDefinition } from "../../generator/runtime/validation/validate.js";
import { ROOT } from "../helpers.js";

const row = (name: keyof typeof METRICS): MetricDefinition => METRICS[name];

describe("the metrics table", () => {
  it.each(METRIC_NAMES)("every alias of %s parses to it, in any case", (name) => {
    expect(row(name).aliases).toContain(name);
    for (const alias of row(name).aliases) {
      for (const written of [alias, alias.toUpperCase()]) {
        const rule = parseRule({ validation_rule: `${written}<`, validation_value: 1 });
        expect(rule.kind === "checked" && rule.metrics, written).toEqual([name]);
      }
    }
  });

  it("no alias names two metrics", () => {
    const all = METRIC_NAMES.flatMap((name) => row(name).aliases);
    expect(Object.keys(METRIC_ALIASES).sort()).toEqual([...new Set(all)].sort());
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(METRIC_NAMES)("%s asks the probe for its own reading and no other", (name) => {
    const needs = probeNeedsOf([name]);
    expect(Object.keys(needs).sort()).toEqual([...PROBE_NEEDS].sort());
    expect(PROBE_NEEDS.filter((need) => needs[need])).toEqual([row(name).probe]);
  });

  it("a rule's value is computed from what the probe measured", () => {
    const measured = { width: 640, height: 480, sizeBytes: 3 * 1024 * 1024, durationSeconds: 12.5 };
    expect(Object.fromEntries(METRIC_NAMES.map((name) => [name, metricValue(name, measured)]))).toEqual({
      width: 640,
      height: 480,
      file_size_bytes: 3_145_728,
      file_size_kb: 3072,
      file_size_mb: 3,
      duration_seconds: 12.5,
    });
    for (const name of METRIC_NAMES) expect(metricValue(name, {}), name).toBeUndefined();
  });

  it("the README lists every metric, as the table renders it", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(metricsMarkdown());
    for (const name of METRIC_NAMES) expect(metricsMarkdown()).toContain(`| \`${name}\` |`);
  });
});

describe("validation requests each row's probe reading", () => {
  let server: MediaServer;
  beforeAll(async () => (server = await startMediaServer()));
  afterAll(() => server.close());

  const definition = (rule: string): ModelDefinition => ({
    modelId: "acme/metrics",
    validator: Object.assign(() => true, { errors: null }),
    ruleTargets: [
      {
        path: ["image_url"],
        media: "image",
        rules: [parseRule({ validation_rule: rule, validation_value: 0, validation_error: `${rule} 0` })],
      },
    ],
  });

  it.each(METRIC_NAMES)("a rule on %s is checked on an image that has it, or reported unchecked", async (name) => {
    server.add(`metric-${name}.jpg`, jpeg(300, 200, { totalBytes: 40_000 }), "image/jpeg");
    const result = await validateModelInput(
      definition(`${name}>=`),
      { image_url: server.url(`/range/metric-${name}.jpg`) },
      { allowHttp: true, probe: { allowPrivateNetwork: true, timeoutMs: 5000 } },
    );
    const hasIt = (row(name).media as readonly string[]).includes("image");
    expect(result.valid).toBe(true);
    expect(result.issues.map((i) => i.message)).toEqual(
      hasIt ? [] : [`rule not checked: ${name} cannot be measured for this image (${name} >= 0)`],
    );
  });

  it("a width rule fails on the measured width (the dimensions reading is asked for)", async () => {
    server.add("metric-wide.jpg", jpeg(300, 200, { totalBytes: 40_000 }), "image/jpeg");
    const def = definition("width<=");
    def.ruleTargets[0].rules[0] = parseRule({ validation_rule: "width<=", validation_value: 299 });
    const result = await validateModelInput(
      def,
      { image_url: server.url("/range/metric-wide.jpg") },
      { allowHttp: true, probe: { allowPrivateNetwork: true, timeoutMs: 5000 } },
    );
    expect(result.issues.map((i) => [i.severity, i.actual, i.limit])).toEqual([["error", 300, 299]]);
  });
});
