/**
 * JSON Pointer (RFC 6901): the one place that escapes and unescapes reference tokens. Ships in the
 * generated package (zero dependencies); the generator imports it from here too.
 */

/** A key as a reference token, without its leading slash: `~` → `~0`, `/` → `~1`. */
export const encodePointerToken = (key: string | number): string =>
  String(key).replace(/~/g, "~0").replace(/\//g, "~1");

/** A reference token as the key it names (`~1` before `~0`, so `~01` is `~1`, as the RFC says). */
export const decodePointerToken = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~");

/** `base` followed by one escaped token per key: `joinPointer("/a", "b/c", 0)` is `/a/b~1c/0`. */
export const joinPointer = (base: string, ...keys: (string | number)[]): string =>
  base + keys.map((k) => "/" + encodePointerToken(k)).join("");

/** The keys a pointer names, decoded: `""` is the whole document (no keys). Not a pointer: an error. */
export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/"))
    throw new SyntaxError(`not a JSON pointer (it must be empty or start with "/"): ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split("/").map(decodePointerToken);
}

/** Values at a path pattern (`["image_urls", "*"]`), with their JSON pointers. */
export function valuesAt(input: unknown, path: readonly string[]): { pointer: string; value: unknown }[] {
  let current: { pointer: string; value: unknown }[] = [{ pointer: "", value: input }];
  for (const segment of path) {
    const next: typeof current = [];
    for (const { pointer, value } of current) {
      if (segment === "*") {
        if (Array.isArray(value)) value.forEach((v, i) => next.push({ pointer: `${pointer}/${i}`, value: v }));
      } else if (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.hasOwn(value, segment)
      ) {
        next.push({ pointer: joinPointer(pointer, segment), value: (value as Record<string, unknown>)[segment] });
      }
    }
    current = next;
  }
  return current;
}
