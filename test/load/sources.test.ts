/**
 * Schema files as the incremental run reads them: a folder whose mtime is the one recorded (and was
 * old at the last run) keeps its recorded listing, unread; any entry added, removed or renamed in it
 * changes its mtime, so it is listed again.
 */
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSchemaSources, type SourceManifest } from "../../generator/load/sources.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-sources-");
afterAll(tmp.cleanup);

const past = new Date(Date.now() - 60_000);
const age = (...paths: string[]) => {
  for (const p of paths) utimesSync(p, past, past);
};

describe("schema folders", () => {
  it("an old folder keeps its recorded listing; a change in it lists it again", async () => {
    const dir = path.join(tmp.dir, "schemas");
    const acme = path.join(dir, "acme");
    mkdirSync(acme, { recursive: true });
    writeFileSync(path.join(acme, "a.json"), "{}");
    writeFileSync(path.join(acme, "b.json"), "{}");
    writeFileSync(path.join(acme, ".hidden.json"), "{}");
    writeFileSync(path.join(acme, "notes.txt"), "");
    age(path.join(acme, "a.json"), path.join(acme, "b.json"), acme, dir);
    const first = await readSchemaSources(dir, undefined, false);
    expect(first.sources.map((s) => s.relPath)).toEqual(["acme/a.json", "acme/b.json"]);
    expect(first.manifest.dirs).toEqual({
      "": [expect.any(Number), ["acme/"]],
      "acme/": [expect.any(Number), ["a.json", "b.json"]],
    });

    // The recorded listing is trusted: a listing that leaves out b.json (as no run would write it) shows it is not read again.
    const forged = {
      ...first.manifest,
      dirs: { ...first.manifest.dirs, "acme/": [first.manifest.dirs!["acme/"][0], ["a.json"]] as [number, string[]] },
    };
    const trusted = await readSchemaSources(dir, forged satisfies SourceManifest, false);
    expect(trusted.sources.map((s) => s.relPath)).toEqual(["acme/a.json"]);

    // Adding, removing or renaming an entry changes the folder's mtime: it is listed again.
    writeFileSync(path.join(acme, "c.json"), "{}");
    const added = await readSchemaSources(dir, forged satisfies SourceManifest, false);
    expect(added.sources.map((s) => s.relPath)).toEqual(["acme/a.json", "acme/b.json", "acme/c.json"]);
    age(acme);
    const settled = await readSchemaSources(dir, { ...added.manifest, at: Date.now() }, false);
    renameSync(path.join(acme, "c.json"), path.join(acme, "d.json"));
    rmSync(path.join(acme, "a.json"));
    const renamed = await readSchemaSources(dir, settled.manifest, false);
    expect(renamed.sources.map((s) => s.relPath)).toEqual(["acme/b.json", "acme/d.json"]);
  });

  it("a folder changed within the mtime slack of the last run is listed again", async () => {
    const dir = path.join(tmp.dir, "recent");
    mkdirSync(path.join(dir, "acme"), { recursive: true });
    writeFileSync(path.join(dir, "acme/a.json"), "{}");
    const first = await readSchemaSources(dir, undefined, false);
    // Recent folders: their listings are recorded but not trusted, whatever they say.
    const forged = {
      ...first.manifest,
      dirs: { ...first.manifest.dirs, "acme/": [first.manifest.dirs!["acme/"][0], []] as [number, string[]] },
    };
    const again = await readSchemaSources(dir, forged satisfies SourceManifest, false);
    expect(again.sources.map((s) => s.relPath)).toEqual(["acme/a.json"]);
  });
});
