/**
 * Error names survive minifying: a production bundle (esbuild --minify, as Vite builds) renames the
 * classes, and `e.name === "ValidationError"` and `toJSON()` must still say the class's own name.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import * as unminified from "../../generated/index.js";
import { ROOT, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-minify-");
afterAll(tmp.cleanup);

type ErrorClass = new (...args: unknown[]) => Error & { toJSON?: () => Record<string, unknown> };
const errorClasses = (m: Record<string, unknown>) =>
  Object.entries(m).filter(
    (e): e is [string, ErrorClass] => typeof e[1] === "function" && (e[1] as ErrorClass).prototype instanceof Error,
  );

describe("error names in a minified bundle", () => {
  it("every exported error class names itself, in e.name and toJSON(), after esbuild --minify", async () => {
    const entry = path.join(tmp.dir, "app.js");
    writeFileSync(entry, `export * from ${JSON.stringify(path.join(ROOT, "generated/index.js"))};\n`);
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const file = path.join(tmp.dir, "app.min.mjs");
    writeFileSync(file, out.outputFiles[0].text);
    const minified = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const classes = errorClasses(minified);
    expect(classes.map(([name]) => name).sort()).toEqual(
      errorClasses(unminified)
        .map(([name]) => name)
        .sort(),
    );
    expect(classes.length).toBeGreaterThanOrEqual(13);
    // The minifier did rename them: without a literal name, e.name would be a mangled letter.
    expect(classes.filter(([exported, C]) => C.name !== exported).length).toBeGreaterThan(0);
    for (const [exported, C] of classes) {
      const e = new C("message", [], {});
      expect(e.name, exported).toBe(exported);
      expect(String(e).startsWith(`${exported}: `), exported).toBe(true);
      if (e.toJSON) expect(e.toJSON().name, exported).toBe(exported);
    }
  });
});
