/**
 * The tool as npm would publish it: `npm pack`'s file list (no scripts run) holds what the CLI reads
 * at run time and nothing of the repository's own tests, benchmarks, schemas or test keys; the
 * generated package ships the licenses of the code it derives from.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const packed = (): string[] => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
};

describe("the published tool", () => {
  it("ships the CLI, its built runtime, templates, schemas of its own files and the license; no tests, bench or keys", () => {
    const files = packed();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const f of [
      "LICENSE",
      "README.md",
      "package.json",
      pkg.bin["runcomfy-codegen"],
      "dist/runtime/manifest.json",
      "dist/runtime/runtime/core.js",
      "generator/config.schema.json",
      "generator/schema-file.schema.json",
    ])
      expect(files, f).toContain(f);
    for (const t of readdirSync(path.join(ROOT, "templates"))) expect(files).toContain(`templates/${t}`);
    const stray = files.filter(
      (f) => /^(test|bench|schemas|generated|\.ci)\/|^dist\/bench\/|\.(pem|key)$|\.ts$/.test(f) && !f.endsWith(".d.ts"),
    );
    expect(stray).toEqual([]);
  });

  it("the generated package carries ajv's and ajv-formats' licenses", () => {
    const notices = readFileSync(path.join(ROOT, "generated", "THIRD-PARTY-NOTICES.md"), "utf8");
    for (const dep of ["ajv", "ajv-formats"]) {
      const license = readFileSync(path.join(ROOT, "node_modules", dep, "LICENSE"), "utf8").trim();
      expect(notices).toContain(license);
    }
  });
});
