/**
 * The OpenAPI document, checked by tools no one here wrote: `@apidevtools/swagger-parser` validates
 * it (the tree and its one-file bundle), and `openapi-typescript` turns it into types under which
 * each model's example request body typechecks and a wrong enum value does not (TypeScript's own
 * compiler decides). Corpus: the seed schemas, the golden corpus and the quirks fixture.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleOpenApi, OPENAPI_ROOT, openApiPathOf, submitPathOf } from "../../generator/emit/openapi.js";
import { generate } from "../../generator/generate.js";
import type { ModelIR } from "../../generator/model/model.js";
import { buildModels, captureCli, ROOT, schemasWithQuirks, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-openapi-");
let outDir: string;
let models: ModelIR[];
const readJson = (rel: string) => JSON.parse(readFileSync(path.join(outDir, rel), "utf8"));

beforeAll(async () => {
  const schemas = schemasWithQuirks(tmp.dir);
  cpSync(path.join(ROOT, "test", "fixtures", "golden"), schemas, { recursive: true });
  outDir = path.join(tmp.dir, "out");
  await generate({ schemasDir: schemas, outDir, cache: false });
  models = (await buildModels(schemas)).models;
}, 120_000);
afterAll(() => tmp.cleanup());

// biome-ignore lint/suspicious/noExplicitAny: the document is arbitrary JSON, asserted field by field
type Json = any;
type Doc = {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
};

describe("generated/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document, as a tree of files and bundled into one", async () => {
    const root = path.join(outDir, OPENAPI_ROOT);
    const api = (await SwaggerParser.validate(root)) as unknown as Doc;
    const bundled = bundleOpenApi(readJson(OPENAPI_ROOT), readJson);
    const bundleFile = path.join(tmp.dir, "bundle.json");
    writeFileSync(bundleFile, JSON.stringify(bundled));
    const one = (await SwaggerParser.validate(bundleFile)) as unknown as Doc;
    for (const doc of [api, one]) {
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          "/v1/models",
          "/v1/models/categories",
          "/v1/requests/{request_id}/cancel",
          "/v1/requests/{request_id}/result",
          "/v1/requests/{request_id}/status",
          ...models.map((m) => submitPathOf(m.modelId)),
        ].sort(),
      );
    }
    // The bundle refers to nothing outside itself.
    expect(JSON.stringify(bundled)).not.toMatch(/"\$ref":"[^#]/);
  });

  it("describes each model's submit route: its input schema, media as URIs with their kind and rules, errors with error_code", async () => {
    const api = (await SwaggerParser.dereference(path.join(outDir, OPENAPI_ROOT))) as unknown as Doc;
    for (const m of models) {
      const post = api.paths[submitPathOf(m.modelId)].post;
      expect(post.requestBody.required).toBe(true);
      const body = post.requestBody.content["application/json"];
      expect(Object.keys(body.schema.properties)).toEqual(Object.keys(m.input.schema.properties ?? {}));
      expect(body.example).toEqual(m.usage.input);
      expect(post.responses["200"].content["application/json"].schema.required).toEqual(["request_id"]);
      expect(Object.keys(post.responses["422"].content["application/json"].schema.properties)).toContain("error_code");
      expect(post["x-runcomfy-model-id"]).toBe(m.modelId);
      if (m.pricing) expect(post["x-runcomfy-pricing"].base_price_usd).toBe(m.pricing.basePriceUsd);
    }
    const edit = api.paths[submitPathOf("bytedance/dreamina-4-0/edit")].post.requestBody.content["application/json"];
    const item = edit.schema.properties.image_urls.items;
    expect(item.format).toBe("uri");
    expect(item["x-runcomfy-media"]).toBe("image");
    const rules = edit.schema.properties.image_urls["x-runcomfy-rules"];
    expect(rules.map((r: { validation_rule: string }) => r.validation_rule)).toContain("width/height≥");
    expect(edit.schema.properties.image_urls.description).toMatch(/Rule: .*aspect ratio/);
    const result = api.paths["/v1/requests/{request_id}/result"].get;
    expect(result.parameters.map((p: { name: string }) => p.name)).toEqual(["request_id", "include_cost"]);
    expect(Object.keys(result.responses["200"].content["application/json"].schema.properties)).toContain("cost");
  });

  it("keeps each model's output under components, typed in its result", () => {
    const bundled = bundleOpenApi(readJson(OPENAPI_ROOT), readJson) as unknown as Doc;
    for (const m of models) {
      const post = bundled.paths[submitPathOf(m.modelId)].post;
      const result = post["x-runcomfy-result-schema"].$ref.replace("#/components/schemas/", "");
      const output = bundled.components.schemas[result].allOf[1].properties.output.$ref.replace(
        "#/components/schemas/",
        "",
      );
      expect(Object.keys(bundled.components.schemas[output].properties ?? {})).toEqual(
        Object.keys(m.output.schema.properties ?? {}),
      );
    }
  });

  it("gives types through openapi-typescript under which each example body typechecks and a wrong enum value does not", async () => {
    for (const [label, source] of [
      ["tree", pathToFileURL(path.join(outDir, OPENAPI_ROOT))],
      ["bundle", JSON.stringify(bundleOpenApi(readJson(OPENAPI_ROOT), readJson))],
    ] as const) {
      // defaultNonNullable off, as the README says: by default openapi-typescript makes every property with a default required, request bodies too.
      const types = astToString(await openapiTS(source, { defaultNonNullable: false }));
      const dir = path.join(tmp.dir, `ts-${label}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, "api.ts"), types);
      const checks: string[] = [
        `import type { paths } from "./api";`,
        `type Body<P extends keyof paths> = paths[P] extends { post: { requestBody: { content: { "application/json": infer B } } } } ? B : never;`,
      ];
      let wrongEnums = 0;
      models.forEach((m, i) => {
        const route = JSON.stringify(submitPathOf(m.modelId));
        const props = m.input.schema.properties ?? {};
        // A key the schema does not name (the quirks fixture's `ghost`) is warned about at run time, not typed.
        const example = Object.fromEntries(Object.entries(m.usage.input).filter(([k]) => Object.hasOwn(props, k)));
        checks.push(`export const ok${i}: Body<${route}> = ${JSON.stringify(example)};`);
        const enumName = Object.keys(props).find((k) => props[k].type === "string" && props[k].enum);
        if (enumName === undefined) return;
        wrongEnums++;
        checks.push(
          `// @ts-expect-error a value outside the enum`,
          `export const bad${i}: Body<${route}> = ${JSON.stringify({ ...example, [enumName]: "not one of the values" })};`,
        );
      });
      expect(wrongEnums).toBeGreaterThan(1);
      const checkFile = path.join(dir, "check.ts");
      writeFileSync(checkFile, `${checks.join("\n")}\n`);
      const program = ts.createProgram([checkFile], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        skipLibCheck: true,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${label}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      expect(problems).toEqual([]);
    }
  }, 120_000);

  it("is rewritten only when the listing or a model changes, and checked by generate --check", async () => {
    const schemas = path.join(tmp.dir, "schemas");
    const again = await generate({ schemasDir: schemas, outDir, cache: false });
    expect(again.diff.changed).toEqual([]);
    const modelFile = openApiPathOf(models[0].modelId);
    writeFileSync(path.join(outDir, modelFile), "{}\n");
    writeFileSync(path.join(outDir, OPENAPI_ROOT), "{}\n");
    const check = await generate({ schemasDir: schemas, outDir, cache: false, check: true });
    expect(check.stale).toEqual([OPENAPI_ROOT, modelFile].sort());
    await generate({ schemasDir: schemas, outDir, cache: false });
  }, 120_000);

  it("`openapi` prints the bundled document, and says what to do without a package", async () => {
    const { code, stdout } = await captureCli(["openapi", "--package", outDir]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(bundleOpenApi(readJson(OPENAPI_ROOT), readJson));
    const missing = await captureCli(["openapi", "--package", path.join(tmp.dir, "nothing")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("run `npx runcomfy-codegen generate` first");
  });
});
