// Child process: time to import a generated package's root plus one model's module (its validator). Args: pkgDir modelId.
import path from "node:path";
import { pathToFileURL } from "node:url";
const [pkgDir, modelId] = process.argv.slice(2);
const t0 = performance.now();
const root = await import(pathToFileURL(path.resolve(pkgDir, "index.js")).href);
const model = await root.loadModel(modelId);
const ms = performance.now() - t0;
if (typeof model.validator !== "function") throw new Error("no validator");
console.log(JSON.stringify({ ms }));
