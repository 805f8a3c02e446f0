/**
 * Validators: gzipped size per model against ajv standalone's gzipped output for the same schema,
 * and validation speed on every seed model, valid and invalid input, in interleaved samples against
 * ajv compiling the same schema at run time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { transformSync } from "esbuild";
import { AjvClass, standaloneCode } from "../../generator/shared/ajv.js";
import { validatorView } from "../../generator/shared/ajv.js";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import { formats } from "../../generator/runtime/validation/formats.js";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { findSchemaFilesSync } from "../fs-util.js";
import { fmt, median, opsPerSecond, type Row } from "../stats.js";

const gzip = (code: string) => gzipSync(code, { level: 9 }).length;
const minified = (code: string) => transformSync(code, { loader: "js", minify: true }).code;

/** The validator's part of a generated model module: its import and code, between the template's comment and the model's exports. */
function validatorSection(module: string): string {
  const start = module.indexOf("\n", module.indexOf("// The precompiled input validator")) + 1;
  return module.slice(start, module.indexOf("\n\n/** The model id, as sent in the request path. */"));
}

function ajvStandalone(schema: unknown, allErrors: boolean): string {
  const ajv = new AjvClass({ allErrors, code: { source: true, esm: true } });
  for (const name of Object.keys(formats)) ajv.addFormat(name, true);
  return standaloneCode(ajv, ajv.compile(validatorView(schema as never)));
}

export function benchValidatorSize(schemaFiles: string[], pkgDir: string, log: (s: string) => void): Row[] {
  log(`validator size, ${schemaFiles.length} models…`);
  const ratios = { allErrors: [] as number[], first: [] as number[], minified: [] as number[] };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (const file of schemaFiles) {
    const raw = JSON.parse(readFileSync(file, "utf8"));
    const code = validatorSection(readFileSync(path.join(pkgDir, "models", `${raw.model_id}.js`), "utf8"));
    const schema = normalizeInputSchema(raw.input_schema, file).schema;
    const all = ajvStandalone(schema, true);
    ours.push(gzip(code));
    theirs.push(gzip(all));
    ratios.allErrors.push(gzip(code) / gzip(all));
    ratios.first.push(gzip(code) / gzip(ajvStandalone(schema, false)));
    ratios.minified.push(gzip(minified(code)) / gzip(minified(all)));
  }
  const mm = (l: number[]) => `${fmt(median(l), 2)} / ${fmt(Math.max(...l), 2)}`;
  return [
    {
      section: "validator size",
      metric: `gzipped validator per model (median), ${schemaFiles.length} models`,
      ours: `${fmt(median(ours))} B`,
      baseline: `${fmt(median(theirs))} B (ajv standalone, allErrors as ours)`,
      ratio: `${mm(ratios.allErrors)} (median / max)`,
      target: "smaller than ajv standalone",
      met: Math.max(...ratios.allErrors) < 1 ? "yes" : "no",
    },
    {
      section: "validator size",
      metric: "gzipped, against ajv standalone's default options (stops at the first error)",
      ours: "",
      baseline: "",
      ratio: `${mm(ratios.first)} (median / max)`,
      target: "",
      met: "—",
    },
    {
      section: "validator size",
      metric: "gzipped after a bundler's minifier (esbuild --minify) on both sides",
      ours: "",
      baseline: "",
      ratio: `${mm(ratios.minified)} (median / max)`,
      target: "",
      met: "—",
    },
  ];
}

/** An input the schema refuses: the first property given a value of the wrong type, and a key it does not know. */
function invalidInput(
  example: Record<string, unknown>,
  schema: { properties?: Record<string, { type?: unknown }> },
): Record<string, unknown> {
  const [key, prop] = Object.entries(schema.properties ?? {})[0] ?? ["x", {}];
  return { ...example, [key]: prop.type === "string" ? 12345 : "not a number", unknown_key: true };
}

/** Interleaved samples of several validating functions on one input: medians of ops per CPU second and per wall second. */
function sampleInterleaved(sides: ((d: unknown) => boolean)[], input: unknown, samples: number) {
  const cpu = sides.map(() => [] as number[]);
  const wall = sides.map(() => [] as number[]);
  for (let r = 0; r < samples; r++) {
    // Short samples, the order rotating (a side measured later in a round runs warmer).
    for (let k = 0; k < sides.length; k++) {
      const i = (k + r) % sides.length;
      const s = opsPerSecond(() => sides[i](input), 60);
      cpu[i].push(s.cpu);
      wall[i].push(s.wall);
    }
  }
  return sides.map((_, i) => ({ cpu: median(cpu[i]), wall: median(wall[i]) }));
}

export async function benchValidation(runs: number, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const file of findSchemaFilesSync(path.join(PACKAGE_ROOT, "schemas"))) {
    const raw = JSON.parse(readFileSync(file, "utf8"));
    log(`validation, ${raw.model_id}…`);
    const model = await import(pathToFileURL(path.join(PACKAGE_ROOT, "generated/models", `${raw.model_id}.js`)).href);
    const schema = validatorView(normalizeInputSchema(raw.input_schema, file).schema);
    const compile = () => {
      const ajv = new AjvClass({ allErrors: true, strict: false });
      // The same format checks the generated validators use: only precompiled vs compiled at run time differs.
      for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
      return ajv.compile(schema);
    };
    const runtime = compile();
    // A second, identical compile: ajv against itself shows how far apart two equal functions measure.
    const control = compile();
    const inputs = { valid: model.example ?? {}, invalid: invalidInput(model.example ?? {}, model.inputSchema) };
    const precompiled = model.validator as (d: unknown) => boolean;
    if (!precompiled(inputs.valid) || precompiled(inputs.invalid) || runtime(inputs.invalid))
      throw new Error(`${raw.model_id}: the bench inputs are not valid / invalid as intended`);
    for (const [kind, input] of Object.entries(inputs)) {
      const [ours, base, again] = sampleInterleaved([precompiled, runtime, control], input, runs * 10);
      const ratio = ours.cpu / base.cpu;
      rows.push({
        section: "validate",
        metric: `${raw.model_id}, ${kind} input (ops per CPU second; wall ratio beside)`,
        ours: fmt(ours.cpu),
        baseline: `${fmt(base.cpu)} (ajv compiled at run time; ajv vs ajv ${fmt(again.cpu / base.cpu, 2)}×)`,
        ratio: `${fmt(ratio, 2)}× (wall ${fmt(ours.wall / base.wall, 2)}×)`,
        target: "≥ 0.95×",
        met: ratio >= 0.95 ? "yes" : "no",
      });
    }
  }
  return rows;
}
