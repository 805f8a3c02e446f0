/**
 * Child process: the off-the-shelf baseline. For each schema file, json-schema-to-typescript (with
 * `format: false`, as the generator also skips prettier, or its default options) and ajv standalone
 * (default options), writing the results. The schemas are normalized first (raw RunComfy schemas,
 * with "float" types and custom formats, compile in neither tool). One thread.
 * Args: schemasDir outDir format|noformat. Timed from outside (bench/process.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AjvClass, standaloneCode as standalone } from "../generator/shared/ajv.js";
import { compile } from "json-schema-to-typescript";
import { loadSchemaDir } from "../generator/load/load.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../generator/normalize/normalize.js";
import { validatorView } from "../generator/shared/ajv.js";

const [schemasDir, outDir, formatArg] = process.argv.slice(2);
const options = { format: formatArg === "format" };
const { files } = await loadSchemaDir(schemasDir);
for (const f of files) {
  const input = normalizeInputSchema(f.inputSchema, f.file).schema;
  const output = normalizeOutputSchema(f.outputSchema, f.file).schema;
  const types = (await compile(input as never, "Input", options)) + (await compile(output as never, "Output", options));
  const ajv = new AjvClass({ code: { source: true, esm: true } });
  for (const name of ["image_uri", "video_uri", "audio_uri", "uri", "date-time", "date", "email", "uuid"])
    ajv.addFormat(name, true);
  const code = standalone(ajv, ajv.compile(validatorView(input)));
  const dir = path.join(outDir, ...f.modelId.split("/"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "types.d.ts"), types);
  writeFileSync(path.join(dir, "validate.js"), code);
}
