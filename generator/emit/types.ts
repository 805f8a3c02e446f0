/**
 * Emits a model's `Input` and `Output` TypeScript types as a syntax tree, built from the normalized
 * schema with Babel's TypeScript node builders and printed by Babel's generator: no generated text is
 * taken apart or patched afterwards. Schema strings reach the tree through the escaping helpers (names
 * and literals as string literal nodes, which the generator escapes; docs through `docText`).
 * Constraints TypeScript cannot say (not, if/then/else, patterns, limits) are left to the validator and
 * the docs: a type is then wider than what validates, never narrower. The tests parse and typecheck
 * every emitted file with TypeScript.
 */
import type * as BabelTypes from "@babel/types";
import type { JsonType, SchemaNode } from "../ir/schema-node.js";
import type { ModelIR } from "../model/model.js";
import { decodePointerToken } from "../runtime/json-pointer.js";
import { docText, tsLiteralNode, tsPropertyName } from "../shared/escape.js";
import { docLines } from "./docs.js";
import { withInheritedMember } from "./inherited-members.js";

type T = typeof BabelTypes;
type Generate = typeof import("@babel/generator").generate;

// The builders and the printer load only when a model needs emitting (a cached regeneration never loads them).
let libraries: Promise<{ t: T; generate: Generate }> | undefined;
const load = () =>
  (libraries ??= Promise.all([import("@babel/types"), import("@babel/generator")]).then(([t, g]) => ({
    t: t as unknown as T,
    generate: g.generate,
  })));

/** Keywords that say which kind of value a typeless schema describes (for its TypeScript type only). */
const KIND_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  array: ["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"],
  object: [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
  ],
};
const COMPOSED = ["$ref", "enum", "const", "anyOf", "oneOf", "allOf", "not", "if"];

/** The one kind a typeless schema's keywords say, if they say one: `{minLength: 2}` is typed string. */
function inferredKind(node: SchemaNode): JsonType | undefined {
  if (node.type !== undefined || COMPOSED.some((k) => (node as Record<string, unknown>)[k] !== undefined))
    return undefined;
  const kinds = Object.keys(KIND_KEYWORDS).filter((kind) =>
    KIND_KEYWORDS[kind].some((k) => (node as Record<string, unknown>)[k] !== undefined),
  );
  return kinds.length === 1 ? (kinds[0] as JsonType) : undefined;
}

const isFalseSchema = (node: SchemaNode) =>
  node.not !== undefined && Object.keys(node.not).length === 0 && Object.keys(node).length === 1;

/** The definition a `$ref` names (`#/definitions/x`, `#/$defs/x`), or undefined for one types cannot follow. */
function definitionOf(ref: string): { keyword: "definitions" | "$defs"; key: string } | undefined {
  const m = /^#\/(definitions|\$defs)\/([^/]+)$/.exec(ref);
  return m ? { keyword: m[1] as "definitions" | "$defs", key: decodePointerToken(m[2]) } : undefined;
}

/** A type name from a definition's key: upper camel case, letters, digits, `_` and `$` only (as json-schema-to-typescript names them). */
function typeNameOf(key: string): string {
  const name = key
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/(^\s*[^a-zA-Z_$])|([^a-zA-Z_$\d])/g, " ")
    .replace(/^_[a-z]/g, (m) => m.toUpperCase())
    .replace(/_[a-z]/g, (m) => m.slice(1).toUpperCase())
    .replace(/([\d$]+[a-zA-Z])/g, (m) => m.toUpperCase())
    .replace(/\s+([a-zA-Z])/g, (m) => m.trim().toUpperCase())
    .replace(/\s/g, "");
  return name ? name[0].toUpperCase() + name.slice(1) : "Definition";
}

/** One named declaration: the root type or a definition it references. */
interface Declaration {
  name: string;
  node: SchemaNode;
}

type TypeNode = BabelTypes.TSType;

/**
 * The declarations of one schema (the root as `rootName`, then each definition it reaches, in the
 * order first referenced). Definitions nothing references are left out.
 */
class TypesBuilder {
  private readonly names = new Map<string, string>();
  private readonly taken: Set<string>;
  private readonly queue: Declaration[] = [];

  constructor(
    private readonly t: T,
    private readonly root: SchemaNode,
    private readonly rootName: string,
  ) {
    this.taken = new Set([rootName]);
    this.names.set("#", rootName);
  }

  declarations(): { names: string[]; statements: BabelTypes.Statement[] } {
    this.queue.push({ name: this.rootName, node: this.root });
    const statements: BabelTypes.Statement[] = [];
    for (let i = 0; i < this.queue.length; i++) statements.push(this.declaration(this.queue[i]));
    return { names: this.queue.map((d) => d.name), statements };
  }

  /** `export interface X { … }` for an object type, else `export type X = …`; the schema's docs above it. */
  private declaration({ name, node }: Declaration): BabelTypes.Statement {
    const { t } = this;
    const type = this.typeOf(node);
    const id = t.identifier(name);
    const declaration = t.isTSTypeLiteral(type)
      ? t.tsInterfaceDeclaration(id, null, null, t.tsInterfaceBody(type.members))
      : t.tsTypeAliasDeclaration(id, null, type);
    return this.withDocs(t.exportNamedDeclaration(declaration), docLines(node));
  }

  /** The type name of a definition, declared (queued) the first time it is referenced. */
  private referenceTo(ref: string): TypeNode {
    const { t } = this;
    const known = this.names.get(ref);
    if (known) return t.tsTypeReference(t.identifier(known));
    const target = definitionOf(ref);
    const defs = target && this.root[target.keyword];
    const node = defs && Object.hasOwn(defs, target.key) ? defs[target.key] : undefined;
    if (!target || !node) return t.tsUnknownKeyword();
    let name = typeNameOf(target.key);
    for (let n = 1; this.taken.has(name); n++) name = `${typeNameOf(target.key)}${n}`;
    this.taken.add(name);
    this.names.set(ref, name);
    this.queue.push({ name, node });
    return t.tsTypeReference(t.identifier(name));
  }

  /** The TypeScript type of a schema node. */
  typeOf(node: SchemaNode): TypeNode {
    const { t } = this;
    if (isFalseSchema(node)) return t.tsNeverKeyword();
    if (node.enum) return this.union(node.enum.map((v) => this.literalType(v)));
    if (node.const !== undefined) return this.literalType(node.const);
    if (node.$ref !== undefined) return this.referenceTo(node.$ref);
    // The type the node's own keywords say, and its combinators: all of them hold (an intersection).
    const parts: TypeNode[] = [];
    if (node.anyOf) parts.push(this.union(node.anyOf.map((n) => this.typeOf(n))));
    if (node.oneOf) parts.push(this.union(node.oneOf.map((n) => this.typeOf(n))));
    if (node.allOf) parts.push(...node.allOf.map((n) => this.typeOf(n)));
    const own = this.ownType(node);
    if (own) parts.push(own);
    if (!parts.length) return t.tsUnknownKeyword();
    return parts.length === 1 ? parts[0] : t.tsIntersectionType(parts);
  }

  /** The type of the node's `type` (or the one kind its keywords say), undefined when it has neither. */
  private ownType(node: SchemaNode): TypeNode | undefined {
    const inferred = inferredKind(node);
    const types: JsonType[] = Array.isArray(node.type)
      ? node.type
      : node.type
        ? [node.type]
        : inferred
          ? [inferred]
          : node.properties || node.required
            ? ["object"]
            : [];
    if (!types.length) return undefined;
    return this.union(types.map((type) => this.typeOfKind(type, node)));
  }

  private typeOfKind(type: JsonType, node: SchemaNode): TypeNode {
    const { t } = this;
    switch (type) {
      case "string":
        return t.tsStringKeyword();
      case "number":
      case "integer":
        return t.tsNumberKeyword();
      case "boolean":
        return t.tsBooleanKeyword();
      case "null":
        return t.tsNullKeyword();
      case "array":
        return this.arrayType(node);
      case "object":
        return this.objectType(node);
      default:
        throw new Error(`unknown JSON type ${JSON.stringify(type)}`);
    }
  }

  /** `T[]`, or a tuple: elements past minItems optional, a rest element where more are allowed. */
  private arrayType(node: SchemaNode): TypeNode {
    const { t } = this;
    const itemType = () => (node.items ? this.typeOf(node.items) : t.tsUnknownKeyword());
    if (!node.prefixItems) return t.tsArrayType(itemType());
    const required = Math.min(node.minItems ?? 0, node.prefixItems.length);
    const elements: (BabelTypes.TSType | BabelTypes.TSNamedTupleMember)[] = node.prefixItems.map((item, i) => {
      const type = this.typeOf(item);
      return i < required ? type : t.tsOptionalType(type);
    });
    const closed = node.items
      ? isFalseSchema(node.items)
      : node.maxItems !== undefined && node.maxItems <= node.prefixItems.length;
    if (!closed) elements.push(t.tsRestType(t.tsArrayType(itemType())));
    return t.tsTupleType(elements);
  }

  /**
   * An object type: its properties (a required name without a schema of its own typed unknown), and
   * an index signature only where the schema asks for extra keys (`additionalProperties`), whose type
   * takes in every property's (as TypeScript requires) and `undefined`.
   */
  private objectType(node: SchemaNode): BabelTypes.TSTypeLiteral {
    const { t } = this;
    const required = new Set(node.required ?? []);
    const members: BabelTypes.TSTypeElement[] = [];
    const propertyTypes: TypeNode[] = [];
    const props = node.properties ?? {};
    const names = [...Object.keys(props), ...(node.required ?? []).filter((n) => !Object.hasOwn(props, n))];
    for (const name of new Set(names)) {
      const schema = Object.hasOwn(props, name) ? props[name] : undefined;
      const type = schema
        ? withInheritedMember(t, name, this.typeOf(schema), required.has(name))
        : t.tsUnknownKeyword();
      propertyTypes.push(type);
      const member = t.tsPropertySignature(tsPropertyName(t, name), t.tsTypeAnnotation(type));
      member.optional = !required.has(name);
      members.push(schema ? this.withDocs(member, docLines(schema, name)) : member);
    }
    const extra = node.additionalProperties;
    if (extra !== undefined && extra !== false) {
      const value = extra === true ? t.tsUnknownKeyword() : this.typeOf(extra);
      const key = t.identifier("k");
      key.typeAnnotation = t.tsTypeAnnotation(t.tsStringKeyword());
      const all = this.union([value, ...propertyTypes.map((p) => this.withoutDocs(p)), t.tsUndefinedKeyword()]);
      members.push(t.tsIndexSignature([key], t.tsTypeAnnotation(all)));
    }
    return t.tsTypeLiteral(members);
  }

  /** The type of a JSON value: its literal, a tuple of an array's, an object type of an object's. */
  private literalType(value: unknown): TypeNode {
    const { t } = this;
    if (Array.isArray(value)) return t.tsTupleType(value.map((v) => this.literalType(v)));
    if (value !== null && typeof value === "object")
      return t.tsTypeLiteral(
        Object.keys(value).map((k) =>
          t.tsPropertySignature(
            tsPropertyName(t, k),
            t.tsTypeAnnotation(this.literalType((value as Record<string, unknown>)[k])),
          ),
        ),
      );
    return tsLiteralNode(t, value as string | number | boolean | null);
  }

  /** A copy of a type without the docs of its members (a property's type repeated in an index signature). */
  private withoutDocs(type: TypeNode): TypeNode {
    const copy = this.t.cloneNode(type, true, true);
    this.t.traverseFast(copy, (n) => {
      this.t.removeComments(n);
    });
    return copy;
  }

  private union(types: TypeNode[]): TypeNode {
    return types.length === 1 ? types[0] : this.t.tsUnionType(types);
  }

  /** The JSDoc comment of a declaration or property: its docs lines, through the escaping helper. */
  private withDocs<N extends BabelTypes.Node>(node: N, lines: string[]): N {
    if (!lines.length) return node;
    const text = docText(lines.join("\n"))
      .split("\n")
      .map((line) => (line ? ` * ${line}` : " *"))
      .join("\n");
    return this.t.addComment(node, "leading", `*\n${text}\n `);
  }
}

/** The printed declarations of one schema and their names. */
interface PrintedTypes {
  names: string[];
  text: string;
}

async function printTypes(schema: SchemaNode, rootName: string): Promise<PrintedTypes> {
  const { t, generate } = await load();
  const { names, statements } = new TypesBuilder(t, schema, rootName).declarations();
  // Non-ASCII characters printed as they are (quotes, backslashes, control characters and line
  // separators are still escaped): a declaration file is read by people.
  const print = (s: BabelTypes.Statement) => generate(s, { jsescOption: { minimal: true } }).code;
  return { names, text: statements.map(print).join("\n\n") };
}

/** Many models share one output schema (RunComfy's generic one): each distinct one is built once. */
const outputTypes = new Map<string, Promise<PrintedTypes>>();

export async function emitTypes(model: ModelIR): Promise<string> {
  const input = await printTypes(model.input.schema, "Input");
  const outputKey = JSON.stringify(model.output.schema);
  let pending = outputTypes.get(outputKey);
  if (!pending) {
    pending = printTypes(model.output.schema, "Output");
    outputTypes.set(outputKey, pending);
  }
  const output = await pending;
  const twice = input.names.filter((n) => output.names.includes(n));
  if (twice.length)
    throw new Error(
      `generated types for ${model.modelId} declare ${twice.join(", ")} twice (a definition of the input and one of the output have the same name: rename one)`,
    );
  return `${input.text}\n\n${output.text}\n`;
}
