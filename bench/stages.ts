/**
 * `node dist/bench/stages.js [N]`: CPU time per model of each generation stage, in one process on N
 * corpus models (default 200), beside what the baseline does per model (json-schema-to-typescript
 * with format: false, ajv standalone). Shows where a cold run's time goes and what part of it the
 * baseline does too. One thread: a run spreads whole models over the cores (compile-pool.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compile } from "json-schema-to-typescript";
import { compileModel } from "../generator/compile.js";
import { emitTypes } from "../generator/emit/types.js";
import { compactValidator, compileValidatorCode, formatValidator } from "../generator/emit/validator.js";
import { validatorView } from "../generator/shared/ajv.js";
import type { ModelIR } from "../generator/model/model.js";
import { AjvClass, standaloneCode } from "../generator/shared/ajv.js";
import { PACKAGE_ROOT } from "../generator/shared/paths.js";
import { generateCorpus } from "./corpus.js";
import { fmt } from "./stats.js";

const n = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(path.join(tmpdir(), "rcg-stages-"));
try {
  const files = generateCorpus(path.join(PACKAGE_ROOT, "schemas"), dir, n, 3);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const stages = new Map<string, number>();
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = cpu();
    const r = await fn();
    stages.set(name, (stages.get(name) ?? 0) + cpu() - t0);
    return r;
  };
  // Model by model, as a run works: the lint checks compile the input validator (the example check
  // runs it) and emit prints that compile's code, so ajv's compile is counted under the lint checks.
  const texts = files.map((file) => ({ file, relPath: path.relative(dir, file), text: readFileSync(file, "utf8") }));
  const models: ModelIR[] = [];
  for (const text of texts) {
    const analysis = await time("load, normalize, lint checks (with ajv's compile)", () =>
      compileModel(text, { schemasDirName: "schemas", emit: false }),
    );
    const m = analysis.model;
    if (!m) continue;
    models.push(m);
    await time("types (TypeScript's factory and printer)", () => emitTypes(m));
    const code = await time("ajv standalone code (from the lint compile)", () => compileValidatorCode(m.input.schema));
    const compact = await time("compaction (acorn tokens)", () => compactValidator(code));
    await time("formatting (esbuild, node side)", () => formatValidator(compact, "../runtime/"));
  }
  const all0 = cpu();
  for (const text of texts)
    await compileModel(text, { schemasDirName: "schemas", packageName: "runcomfy-models", policy: {} });
  const whole = cpu() - all0;
  let baseline = 0;
  for (const m of models) {
    const t0 = cpu();
    await compile(m.input.schema as never, "Input", { format: false });
    await compile(m.output.schema as never, "Output", { format: false });
    const ajv = new AjvClass({ code: { source: true, esm: true } });
    ajv.addFormat("image_uri", true).addFormat("video_uri", true).addFormat("audio_uri", true).addFormat("uri", true);
    standaloneCode(ajv, ajv.compile(validatorView(m.input.schema)));
    baseline += cpu() - t0;
  }
  const per = (ms: number) => `${fmt(ms / models.length, 2)} ms`;
  for (const [name, ms] of stages) console.log(`${name.padEnd(62)} ${per(ms)}`);
  console.log(`${"whole model (lint + emit: types, validator, templates, docs)".padEnd(62)} ${per(whole)}`);
  console.log(`${"baseline: types + ajv standalone (default options)".padEnd(62)} ${per(baseline)}`);
  console.log(`(${models.length} models, CPU time per model of this process; esbuild's own process not counted)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
