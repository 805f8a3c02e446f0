import { createHash } from "node:crypto";

/** A file's content hash, as the output tree, the schema files' manifest and the cache know it. */
export const contentHash = (text: string) => createHash("sha1").update(text).digest("hex");
