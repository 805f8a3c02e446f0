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
