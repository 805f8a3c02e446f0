// Preloaded (`node --import`) into a measured process: at exit it appends the process's own peak RSS
// to the file named by BENCH_USAGE_FILE. Wall and CPU time are taken by the parent, from outside.
import { appendFileSync } from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file)
  process.on("exit", () =>
    appendFileSync(file, `${JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`),
  );
