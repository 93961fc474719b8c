/**
 * Walks the wire schemas (wire.ts) to move between the XML element tree and plain objects:
 * - `elementToWire`: element tree → object of strings, checking what zod cannot see after the
 *   fact: unknown elements, elements out of the XSD sequence order, repeated single elements,
 *   text where only elements belong and elements where only text belongs;
 * - `wireToXml`: an encoded object → XML text, elements in the schema's key order (= XSD order).
 * Values are then checked/converted by zod (`decode`) or produced by it (`encode`).
 */
import * as z from 'zod';
import { escapeXml, type XmlElement } from './xml';
import { PA_FOR_NODE_NS } from './wire';

type Node =
  | { kind: 'object'; shape: Record<string, z.ZodType> }
  | { kind: 'array'; element: z.ZodType }
  | { kind: 'leaf' };

function classify(schema: z.ZodType): Node {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  if (current instanceof z.ZodObject) return { kind: 'object', shape: current.shape as Record<string, z.ZodType> };
  if (current instanceof z.ZodArray) return { kind: 'array', element: current.element as z.ZodType };
  return { kind: 'leaf' };
}

export interface StructureIssue {
  readonly path: string;
  readonly message: string;
}

/** 'a/b/c[2]' from element names and 0-based indexes */
export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part + 1}]`;
    else out += (out ? '/' : '') + String(part);
  }
  return out;
}

/**
 * Local elements are unqualified in paForNode.xsd; we also accept them in the paForNode
 * namespace (clients that declare it as the default namespace), nothing else.
 */
function acceptableChildNamespace(uri: string): boolean {
  return uri === '' || uri === PA_FOR_NODE_NS;
}

export function elementToWire(
  schema: z.ZodType,
  element: XmlElement,
  path: string,
  issues: StructureIssue[],
): unknown {
  const node = classify(schema);
  if (node.kind === 'leaf') {
    if (element.children.length > 0) {
      issues.push({ path, message: 'must contain text, not elements' });
      return undefined;
    }
    return element.text.trim();
  }
  if (node.kind === 'array') {
    // arrays are handled by the parent object (repeated elements with the same name)
    throw new Error('arrays must be fields of an object');
  }
  if (element.text.trim() !== '') issues.push({ path, message: 'must contain elements, not text' });

  const keys = Object.keys(node.shape);
  const out: Record<string, unknown> = {};
  let cursor = -1;
  for (const child of element.children) {
    const name = child.local;
    const childPath = path ? `${path}/${name}` : name;
    if (!acceptableChildNamespace(child.uri)) {
      issues.push({ path: childPath, message: `is in an unexpected namespace ${child.uri}` });
      continue;
    }
    const index = keys.indexOf(name);
    if (index === -1) {
      issues.push({ path: childPath, message: 'is not an element allowed here' });
      continue;
    }
    const fieldSchema = node.shape[name] as z.ZodType;
    const field = classify(fieldSchema);
    if (index < cursor || (index === cursor && field.kind !== 'array')) {
      issues.push({
        path: childPath,
        message: index === cursor ? 'appears more than once' : `is out of order (it must come before ${keys[cursor]})`,
      });
      continue;
    }
    cursor = index;
    if (field.kind === 'array') {
      const list = (out[name] as unknown[] | undefined) ?? [];
      list.push(elementToWire(field.element, child, `${childPath}[${list.length + 1}]`, issues));
      out[name] = list;
    } else {
      out[name] = elementToWire(fieldSchema, child, childPath, issues);
    }
  }
  return out;
}

/** Serialises an encoded wire object; `name` is the element's qualified name as written. */
export function wireToXml(schema: z.ZodType, value: unknown, name: string): string {
  const node = classify(schema);
  if (node.kind === 'leaf') return `<${name}>${escapeXml(String(value))}</${name}>`;
  if (node.kind === 'array') throw new Error('arrays must be fields of an object');
  const record = value as Record<string, unknown>;
  let inner = '';
  for (const [key, fieldSchema] of Object.entries(node.shape)) {
    const fieldValue = record[key];
    if (fieldValue === undefined) continue;
    const field = classify(fieldSchema);
    if (field.kind === 'array') {
      for (const item of fieldValue as unknown[]) inner += wireToXml(field.element, item, key);
    } else {
      inner += wireToXml(fieldSchema, fieldValue, key);
    }
  }
  return `<${name}>${inner}</${name}>`;
}

/** zod issues → the same path/message form as the structure issues */
export function zodIssues(error: z.ZodError, prefix: string): StructureIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
    if (issue.code === 'unrecognized_keys') message = `has elements not allowed here: ${issue.keys.join(', ')}`;
    return { path, message };
  });
}

export function describeIssues(issues: readonly StructureIssue[], max = 1000): string {
  const text = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
