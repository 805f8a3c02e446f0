import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importPages } from "../../generator/importer/import-pages.js";
import { extractFromPage, PageImportError } from "../../generator/importer/page.js";
import { pullCatalog } from "../../generator/importer/pull.js";
import { startEmulator } from "../../generator/mock/emulator.js";

import { ROOT, SCHEMAS, schemasWithQuirks, tempDir, captureCli, readTree } from "../helpers.js";

const SEEDS = path.join(ROOT, "test", "fixtures", "seeds");
const seedPages = readdirSync(SEEDS)
  .sort()
  .map((f) => path.join(SEEDS, f));
const page = (name: string) => readFileSync(seedPages.find((p) => p.includes(name))!, "utf8");
const tmp = tempDir();
afterAll(tmp.cleanup);

const cli = (argv: string[], env: Record<string, string> = {}) => captureCli(argv, { env });

describe("import", () => {
  it("the seed pages (Korean, French, German) import to exactly the files in schemas/", async () => {
    const out = path.join(tmp.dir, "seeds-out");
    const outcomes = await importPages(seedPages, { outDir: out });
    expect(outcomes.map((o) => o.action)).toEqual(["added", "added", "kept-translation", "added", "added"]);
    expect(await readTree(out)).toEqual(await readTree(SCHEMAS));
  });

  it("the same model from two languages differs only in translated text, and says where", async () => {
    const out = path.join(tmp.dir, "lang");
    const [ko, fr] = [seedPages[0], seedPages[2]];
    await importPages([ko], { outDir: out });
    const [kept] = await importPages([fr], { outDir: out });
    expect(kept.action).toBe("kept-translation");
    expect(kept.action === "kept-translation" && kept.differences).toEqual([
      "/input_schema/title",
      "/output_schema/output/properties/image/description",
      "/output_schema/output/properties/video/description",
      "/output_schema/output/properties/images/description",
      "/output_schema/output/properties/videos/description",
    ]);
    const r = await cli(["import", fr, "--out", out, "--force", "--dry-run"]);
    expect(r.stdout).toContain("would be updated");
    expect(readFileSync(path.join(out, "bytedance/dreamina-3-0/pro/image-to-video.json"), "utf8")).toContain(
      "입력 스키마",
    );
  });

  it("reports what generate will say about each file it writes: a default that does not fit its input", async () => {
    // A page gives an image input a bare file name as its default.
    const text = page("004_").replace(
      '"properties": {\n"prompt": {',
      '"properties": {\n"118_image": {"type": "string", "format": "image_uri", "default": "Runcomfy_Example_1290_1.png"},\n"prompt": {',
    );
    expect(text).toContain("118_image");
    const pagePath = path.join(tmp.dir, "default-page.txt");
    writeFileSync(pagePath, text);
    const out = path.join(tmp.dir, "default-out");
    const [outcome] = await importPages([pagePath], { outDir: out });
    expect(outcome.action === "added" && outcome.notes.map((n) => [n.code, n.severity, n.pointer])).toEqual([
      ["default-invalid", "warning", "/input_schema/properties/118_image/default"],
    ]);
    const r = await cli(["import", pagePath, "--out", path.join(tmp.dir, "default-cli")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning  ${path.join(tmp.dir, "default-cli", "bytedance/dreamina-3-0/pro/text-to-video.json")}#/input_schema/properties/118_image/default: the default "Runcomfy_Example_1290_1.png" violates its own schema: value must be a public https URL of an image; it is left out of the types, docs and examples [default-invalid]`,
    );
    // generate says the same, and builds the model.
    const gen = await cli(["generate", "--schemas", out, "--out", path.join(tmp.dir, "default-gen"), "--verbose"]);
    expect(gen.code).toBe(0);
    expect(gen.stderr).toContain(
      'default-out/bytedance/dreamina-3-0/pro/text-to-video.json#/input_schema/properties/118_image/default: the default "Runcomfy_Example_1290_1.png"',
    );
    expect(
      readFileSync(path.join(tmp.dir, "default-gen/docs/bytedance/dreamina-3-0/pro/text-to-video.md"), "utf8"),
    ).not.toMatch(/\| `118_image` \|[^\n]*Runcomfy_Example/);
  });

  it("reads saved HTML pages, and text whose i18n keys are glued to the code", () => {
    const text = page("004_");
    const html = `<!doctype html><html><body><h1>Docs</h1><pre><code>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\n/g, "<br>")}</code></pre></body></html>`;
    const fromHtml = extractFromPage("page.html", html);
    const fromText = extractFromPage("page.txt", text);
    expect(fromHtml).toEqual(fromText);
    const glued = text
      .replace(/\{\n"type": "object"/, 'model_api.schema.input_title{\n"type": "object"')
      .replace('{\n"output"', 'model_api.schema.output_title{\n"output"');
    expect(extractFromPage("glued.txt", glued)).toEqual(fromText);
  });

  it("a page cut off inside its schema is an error that says what is missing, and nothing is written", async () => {
    const text = page("001_");
    const out = path.join(tmp.dir, "cut");
    const cutInInput = path.join(tmp.dir, "cut-input.txt");
    writeFileSync(cutInInput, text.slice(0, text.indexOf('"scale"')));
    const cutInOutput = path.join(tmp.dir, "cut-output.txt");
    writeFileSync(cutInOutput, text.slice(0, text.lastIndexOf('"videos"')));
    const r1 = await cli(["import", seedPages[0], cutInInput, "--out", out]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(
      /cut-input\.txt: the page is cut off inside a JSON block at line \d+: the input schema is incomplete; nothing was written/,
    );
    const r2 = await cli(["import", cutInOutput, "--out", out]);
    expect(r2.stderr).toContain("the output schema is incomplete");
    expect(existsSync(out)).toBe(false);
  });

  it("a page with no model id or no schema is an error", () => {
    expect(() => extractFromPage("x.txt", "Hello, nothing here")).toThrow(PageImportError);
    expect(() => extractFromPage("x.txt", "curl --url https://model-api.runcomfy.net/v1/models/a/b")).toThrow(
      /no input schema/,
    );
  });
});

describe("pull", () => {
  it("reads the catalog page by page and reports added, changed (which properties) and removed", async () => {
    const served = schemasWithQuirks(path.join(tmp.dir, "catalog"));
    const emulator = await startEmulator({ schemasDir: served, token: "tok-catalog" });
    try {
      const local = path.join(tmp.dir, "local");
      cpSync(SCHEMAS, local, { recursive: true });
      // Local state: one model changed, one the catalog does not have.
      const edit = path.join(local, "bytedance/dreamina-4-0/edit.json");
      const doc = JSON.parse(readFileSync(edit, "utf8"));
      doc.input_schema.properties.prompt.maxLength = 100;
      writeFileSync(edit, JSON.stringify(doc, null, 2) + "\n");
      mkdirSync(path.join(local, "acme"), { recursive: true });
      writeFileSync(
        path.join(local, "acme/retired.json"),
        JSON.stringify({ model_id: "acme/retired", input_schema: { type: "object", properties: {} } }),
      );

      const dry = await pullCatalog({
        baseUrl: emulator.baseUrl,
        token: "tok-catalog",
        outDir: local,
        dryRun: true,
        pageSize: 2,
      });
      expect(dry).toEqual({
        added: ["acme/quirky/all-quirks"],
        changed: [{ modelId: "bytedance/dreamina-4-0/edit", properties: ["prompt"] }],
        unchanged: [
          "bytedance/dreamina-3-0/pro/image-to-video",
          "bytedance/dreamina-3-0/pro/text-to-video",
          "bytedance/seedance-1-0/lite/image-to-video",
        ],
        removed: ["acme/retired"],
        skipped: [],
        warnings: [],
      });
      expect(existsSync(path.join(local, "acme/quirky/all-quirks.json"))).toBe(false);
      expect(emulator.stats().requests.models).toBe(3);

      const r = await cli(["pull", "--base-url", emulator.baseUrl, "--out", local], {
        RUNCOMFY_API_TOKEN: "tok-catalog",
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("changed  bytedance/dreamina-4-0/edit: prompt");
      expect(r.stdout).toContain("1 added, 1 changed, 3 unchanged, 1 removed");
      // The edit model is back to the catalog's; its docs example is kept.
      expect(JSON.parse(readFileSync(edit, "utf8"))).toMatchObject({
        input_schema: { properties: { prompt: { maxLength: 800 } } },
        example: doc.example,
      });
      expect(existsSync(path.join(local, "acme/retired.json"))).toBe(true);
      await cli(["pull", "--base-url", emulator.baseUrl, "--out", local, "--prune"], {
        RUNCOMFY_API_TOKEN: "tok-catalog",
      });
      expect(existsSync(path.join(local, "acme/retired.json"))).toBe(false);

      const filtered = await pullCatalog({
        baseUrl: emulator.baseUrl,
        token: "tok-catalog",
        outDir: local,
        filter: "seedance",
        dryRun: true,
      });
      expect(filtered.unchanged).toEqual(["bytedance/seedance-1-0/lite/image-to-video"]);
      expect(filtered.removed).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  it("reports API errors as the client does", async () => {
    const emulator = await startEmulator({ schemasDir: SCHEMAS, token: "right-token" });
    try {
      const r = await cli(["pull", "--base-url", emulator.baseUrl, "--out", path.join(tmp.dir, "x")], {
        RUNCOMFY_API_TOKEN: "wrong-token",
      });
      // A service failure: exit 3, as for every command that talks to RunComfy.
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("AuthenticationError");
      expect(r.stderr).toContain("error_code 400004");
    } finally {
      await emulator.close();
    }
  });
});
