/** Where the generator's own assets live, whether it runs from source (vitest) or from dist/. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (true) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj) && JSON.parse(readFileSync(pj, "utf8")).name === "runcomfy-codegen") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the runcomfy-codegen package root");
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, "templates");
export const RUNTIME_SOURCE_DIR = path.join(PACKAGE_ROOT, "generator", "runtime");
const ownPackage = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8"));
export const GENERATOR_VERSION: string = ownPackage.version;
/** The generator's documentation (its README), for links in lint output. */
export const DOCS_URL: string = ownPackage.homepage;

/** The nearest file called `name` in `from` or a folder above it (as ESLint finds its config), or undefined. */
export function findUp(from: string, name: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The user's project: the nearest folder from `cwd` up with a package.json (as find-cache-dir, which
 * Babel's and webpack's caches use, decides), else `cwd`.
 */
export function projectRoot(cwd: string): string {
  const pj = findUp(cwd, "package.json");
  return pj ? path.dirname(pj) : path.resolve(cwd);
}

/**
 * How to regenerate, said in the user's words: `npm run generate` in this repository or a project
 * whose `generate` script runs runcomfy-codegen, else `npx runcomfy-codegen generate`.
 */
export function generateCommand(cwd: string): string {
  const pj = findUp(cwd, "package.json");
  try {
    const p = pj ? JSON.parse(readFileSync(pj, "utf8")) : undefined;
    const script = typeof p?.scripts?.generate === "string" ? p.scripts.generate : "";
    if (p?.name === "runcomfy-codegen" || /\bruncomfy-codegen\b/.test(script)) return "npm run generate";
  } catch {
    // An unreadable package.json says nothing about the project's scripts.
  }
  return "npx runcomfy-codegen generate";
}
