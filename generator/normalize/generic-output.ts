/** RunComfy's generic output (image(s), video(s), audio(s)): the schema, and whether a captured one is it. */
import { isPlainObject } from "../ir/schema-node.js";

/** RunComfy's output when a model publishes no output schema. */
export function genericOutputSchema(): Record<string, unknown> {
  const uri = (description: string) => ({ type: "string", format: "uri", description });
  const uris = (description: string) => ({ type: "array", description, items: { type: "string", format: "uri" } });
  return {
    type: "object",
    properties: {
      image: uri("URL of a single image"),
      images: uris("URLs of several images"),
      video: uri("URL of a single video"),
      videos: uris("URLs of several videos"),
      audio: uri("URL of a single audio file"),
      audios: uris("URLs of several audio files"),
    },
  };
}

/** True when a captured output schema is the generic one: a subset of its properties, each the same shape. */
export function isGenericOutputShape(node: Record<string, unknown>): boolean {
  const props = node.properties;
  if (node.type !== "object" || !isPlainObject(props) || !Object.keys(props).length) return false;
  const generic = genericOutputSchema().properties as Record<string, Record<string, unknown>>;
  return Object.keys(props).every((key) => {
    const p = props[key];
    const g = generic[key];
    if (!g || !isPlainObject(p) || p.type !== g.type) return false;
    const format = (s: Record<string, unknown>) =>
      s.type === "array" ? (isPlainObject(s.items) ? s.items.format : undefined) : s.format;
    return (
      format(p) === format(g) &&
      Object.keys(p).every((k) => ["type", "format", "description", "title", "items"].includes(k))
    );
  });
}
