import { walkFiles } from "../generator/shared/walk-files.js";
import path from "node:path";

export function findSchemaFilesSync(dir: string): string[] {
  return walkFiles(dir, (e) => e.isDirectory() || e.name.endsWith(".json")).map((rel) => path.join(dir, rel));
}
