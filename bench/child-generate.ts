// Child process: one generate run. Args: schemasDir outDir cacheDir|none. Prints {ms, maxRssMB, emitted}.
import { generate } from "../generator/generate.js";
const [schemasDir, outDir, cache] = process.argv.slice(2);
const t0 = performance.now();
const r = await generate({ schemasDir, outDir, cache: cache === "none" ? false : cache });
console.log(JSON.stringify({ ms: performance.now() - t0, maxRssMB: process.resourceUsage().maxRSS / 1024, emitted: r.emitted }));
