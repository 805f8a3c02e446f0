/**
 * A content-addressed cache of emitted files, so regenerating after one schema changes re-emits one
 * model. Keys hash everything the output depends on: the generator's own code and templates, the
 * versions of the libraries that emit code, and the model's schema file. Best effort: a missing or
 * unreadable entry is a miss, never an error. Lives in node_modules/.cache (never committed).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT, projectRoot, TEMPLATES_DIR } from "../shared/paths.js";
import { walkFiles } from "../shared/walk-files.js";

/**
 * RUNCOMFY_CODEGEN_CACHE_DIR (a benchmark or CI keeps its own), else node_modules/.cache/runcomfy-codegen
 * in the user's project (projectRoot of `cwd`), never inside the installed tool (npx's copy is shared
 * and may be read-only).
 */
export function cacheDirFor(cwd: string, env: Record<string, string | undefined> = process.env): string {
  return env.RUNCOMFY_CODEGEN_CACHE_DIR || path.join(projectRoot(cwd), "node_modules", ".cache", "runcomfy-codegen");
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return walkFiles(dir, (e) => e.isDirectory() || ext.test(e.name)).map((rel) => path.join(dir, rel));
}

/**
 * The libraries whose output is in every emitted file: ajv (the validators' code), acorn (the
 * compaction reads that code through its tokens), esbuild (prints it), Babel's builders and
 * generator (build and print the types) and handlebars (the templates).
 */
export const EMITTING_LIBRARIES = [
  "ajv",
  "acorn",
  "esbuild",
  "@babel/types",
  "@babel/generator",
  "handlebars",
] as const;

/** Each emitting library's installed version under `root` (`?` for one that cannot be read), one per line. */
export function emittingLibraryVersions(root = PACKAGE_ROOT): string {
  return EMITTING_LIBRARIES.map((dep) => {
    try {
      return `${dep}@${JSON.parse(readFileSync(path.join(root, "node_modules", dep, "package.json"), "utf8")).version}`;
    } catch {
      return `${dep}@?`;
    }
  }).join("\n");
}

let fingerprint: string | undefined;
/** Hash of the generator's code (as it runs: source or dist), its templates and the emitting libraries' versions. */
export function generatorFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash("sha256");
  // This file sits one folder below the generator's root: hash the whole generator, not just this folder.
  const codeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
  for (const f of [...filesUnder(codeDir, /\.(js|ts)$/), ...filesUnder(TEMPLATES_DIR, /\.hbs$/)])
    hash.update(f.slice(PACKAGE_ROOT.length)).update(readFileSync(f));
  hash.update(emittingLibraryVersions());
  return (fingerprint = hash.digest("hex"));
}

export function cacheKey(...parts: string[]): string {
  const hash = createHash("sha256").update(generatorFingerprint());
  for (const p of parts) hash.update("\0").update(p);
  return hash.digest("hex");
}

export class EmitCache {
  private readonly made = new Set<string>();
  constructor(private readonly dir: string | undefined) {}

  getSync<T>(kind: string, key: string): T | undefined {
    if (!this.dir) return undefined;
    try {
      return JSON.parse(readFileSync(path.join(this.dir, kind, `${key}.json`), "utf8")) as T;
    } catch {
      return undefined;
    }
  }

  set(kind: string, key: string, value: unknown): void {
    if (!this.dir) return;
    try {
      const file = path.join(this.dir, kind, `${key}.json`);
      if (!this.made.has(kind)) {
        mkdirSync(path.dirname(file), { recursive: true });
        this.made.add(kind);
      }
      // No temp file and rename: a torn entry fails to parse and is simply a miss.
      writeFileSync(file, JSON.stringify(value));
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}

/** Runs `fn` over items with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
