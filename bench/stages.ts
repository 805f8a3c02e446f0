/**
 * `node dist/bench/stages.js [N]`: CPU time per model of each generation stage, in one process on N
 * corpus models (default 200), beside what the baseline does per model (json-schema-to-typescript
 * with format: false, ajv standalone). Shows where a cold run's time goes and what part of it the
 * baseline does too.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compile } from "json-schema-to-typescript";
import { emitModelFiles } from "../generator/emit/package.js";
import { emitTypes } from "../generator/emit/types.js";
import { compactValidator, compileValidatorCode, formatValidator } from "../generator/emit/validator.js";
import { validatorView } from "../generator/emit/schema-views.js";
import { analyzeSchemaText } from "../generator/lint/analyze.js";
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
  // Warm-up on a few models, not counted.
  const models: ModelIR[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const analysis = await time("load, normalize, lint checks", () =>
      analyzeSchemaText({ file, relPath: path.relative(dir, file), text }, { schemasDirName: "schemas" }),
    );
    if (analysis.model) models.push(analysis.model);
  }
  for (const m of models) {
    await time("types (json-schema-to-typescript, format: false)", () => emitTypes(m));
    const code = await time("ajv standalone (allErrors)", () => compileValidatorCode(m.input.schema));
    const compact = await time("compaction (acorn tokens)", () => compactValidator(code));
    await time("formatting (esbuild, node side)", () => formatValidator(compact, "../runtime/"));
  }
  const all0 = cpu();
  for (const m of models) await emitModelFiles(m);
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
  for (const [name, ms] of stages) console.log(`${name.padEnd(52)} ${per(ms)}`);
  console.log(`${"emit, whole (types + validator + templates + docs)".padEnd(52)} ${per(whole)}`);
  console.log(`${"baseline: types + ajv standalone (default options)".padEnd(52)} ${per(baseline)}`);
  console.log(`(${models.length} models, CPU time per model of this process; esbuild's own process not counted)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
