/** runcomfy-codegen.config.json: read by every command, checked against its JSON Schema. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NOTE_CODES } from "../../generator/shared/notes.js";
import { configProblems } from "../../generator/shared/config.js";
import { configJsonSchema } from "../../generator/shared/config-schema.js";
import { ROOT, SCHEMAS, captureCli, tempDir } from "../helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function project(name: string, config: unknown): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  cpSync(SCHEMAS, path.join(dir, "model-schemas"), { recursive: true });
  writeFileSync(path.join(dir, "runcomfy-codegen.config.json"), JSON.stringify(config));
  return dir;
}
const cliIn = (cwd: string, ...argv: string[]) => captureCli(argv, { cwd });

describe("the config file", () => {
  it("sets the folders, the package's name and version and rule severities for generate, and --check respects it", async () => {
    const dir = project("p1", {
      schemas: "model-schemas",
      output: "out/pkg",
      package: { name: "@acme/models", version: "2.3.4" },
      rules: { "normalized-type": "off" },
    });
    const gen = await cliIn(dir, "generate");
    expect(gen.code).toBe(0);
    // Without the config, the committed float schema prints a normalized-type warning on every run.
    expect(gen.stderr).not.toContain("normalized-type");
    const pkg = JSON.parse(readFileSync(path.join(dir, "out/pkg/package.json"), "utf8"));
    expect([pkg.name, pkg.version]).toEqual(["@acme/models", "2.3.4"]);
    expect((await cliIn(dir, "generate", "--check")).code).toBe(0);
    writeFileSync(
      path.join(dir, "runcomfy-codegen.config.json"),
      JSON.stringify({
        schemas: "model-schemas",
        output: "out/pkg",
        package: { name: "@acme/models", version: "2.4.0" },
      }),
    );
    const stale = await cliIn(dir, "generate", "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("package.json");
    expect(stale.stderr).toContain("normalized-type");
    // validate finds the package in the configured output folder.
    writeFileSync(
      path.join(dir, "in.json"),
      JSON.stringify({ prompt: "p", image_urls: ["https://example.com/a.png"] }),
    );
    await cliIn(dir, "generate");
    expect(
      await cliIn(dir, "validate", "bytedance/dreamina-4-0/edit", path.join(dir, "in.json"), "--no-probe"),
    ).toMatchObject({ code: 0, stdout: expect.stringMatching(/^valid\nestimated cost: /) });
  });

  it("lint reads the configured schemas folder and severities; raising a warning to an error fails lint and generate", async () => {
    const dir = project("p2", { schemas: "model-schemas", output: "gen", rules: { "normalized-type": "error" } });
    const lint = await cliIn(dir, "lint", "--format", "json");
    expect(lint.code).toBe(1);
    const messages = JSON.parse(lint.stdout).flatMap(
      (r: { messages: { ruleId: string; severity: number }[] }) => r.messages,
    );
    expect(messages).toContainEqual(expect.objectContaining({ ruleId: "normalized-type", severity: 2 }));
    const gen = await cliIn(dir, "generate");
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain("[normalized-type]");
    writeFileSync(
      path.join(dir, "runcomfy-codegen.config.json"),
      JSON.stringify({ schemas: "model-schemas", rules: { "normalized-type": "off" } }),
    );
    expect(await cliIn(dir, "lint", "--max-warnings", "0")).toMatchObject({ code: 0 });
  });

  it("a bad config file is a usage error listing every problem; an error cannot be lowered", async () => {
    const dir = project("p3", {
      schemas: 3,
      colour: "red",
      package: { version: "one" },
      rules: { "unknown-type": "off", "no-such-rule": "warning", "normalized-type": "loud" },
    });
    const r = await cliIn(dir, "lint");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("runcomfy-codegen.config.json is not a valid config file:");
    for (const part of [
      'unknown key "colour"',
      "/schemas: must be string",
      "/package/version",
      'unknown rule id "no-such-rule"',
      "/rules/normalized-type",
    ])
      expect(r.stderr).toContain(part);
    expect(await configProblems({ rules: { "unknown-type": "off" } })).toEqual([
      '/rules/unknown-type: "unknown-type" is an error (the generated package would be wrong); it can only stay "error"',
    ]);
    const json = await cliIn(dir, "generate", "--json");
    expect(JSON.parse(json.stdout).error).toMatchObject({ type: "GeneratorError", exitCode: 2 });
    const missing = await captureCli(["lint", "--config", "nope.json"], { cwd: tmp.dir });
    expect([missing.code, missing.stderr]).toEqual([2, "no config file at nope.json\n"]);
  });

  it("--config names a file elsewhere; its paths are relative to it", async () => {
    const dir = project("p4", { schemas: "model-schemas", rules: { "normalized-type": "off" } });
    const r = await captureCli(
      ["lint", "--config", path.join(dir, "runcomfy-codegen.config.json"), "--max-warnings", "0"],
      { cwd: ROOT },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 files checked/);
  });

  it("the JSON Schema for editors is the loader's, and names exactly the registry's rule ids (npm run build rewrites it)", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, "generator/config.schema.json"), "utf8"));
    expect(schema).toEqual(configJsonSchema());
    expect([...schema.properties.rules.propertyNames.enum].sort()).toEqual(Object.keys(NOTE_CODES).sort());
  });
});
