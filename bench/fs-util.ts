import { readdirSync } from "node:fs";
import path from "node:path";

export function findSchemaFilesSync(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findSchemaFilesSync(p));
    else if (e.name.endsWith(".json")) out.push(p);
  }
  return out.sort();
}
