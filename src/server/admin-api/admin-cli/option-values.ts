// Turns command-line strings into the values a route's JSON Schema expects: numbers, booleans, lists and JSON objects.
import { InvalidArgumentError } from 'commander';

/** The part of a JSON Schema property the CLI reads to parse an option value. */
export interface PropertySchema {
  type?: string | string[];
  items?: PropertySchema;
  enum?: unknown[];
  description?: string;
  /** zod writes a nullable field as `anyOf: [<its schema>, {type: 'null'}]`. */
  anyOf?: PropertySchema[];
}

/** The types a property takes, `null` among them when it is nullable. */
const typesOf = (schema: PropertySchema): string[] => {
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap(typesOf);
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
};

const typeOf = (schema: PropertySchema): string | undefined => typesOf(schema).find((t) => t !== 'null');

/** What an option parses `null` to: commander turns a parser's own null into an empty string. */
export const NULL_OPTION_VALUE = Symbol('null');

/** Whether the property is a plain yes/no switch. */
export function isBooleanProperty(schema: PropertySchema): boolean {
  return typeOf(schema) === 'boolean';
}

/** Parses one option value for a property; `name` is the option, for the error message. `null` of a nullable one is NULL_OPTION_VALUE. */
export function parseOptionValue(name: string, raw: string, schema: PropertySchema): unknown {
  if (raw === 'null' && typesOf(schema).includes('null')) return NULL_OPTION_VALUE;
  const type = typeOf(schema);
  if (type === 'string' || (type === undefined && schema.enum?.every((v) => typeof v === 'string'))) return raw;
  if (type === 'integer' || type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`--${name} takes a number.`);
    return value;
  }
  if (type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new InvalidArgumentError(`--${name} takes true or false.`);
    return raw === 'true';
  }
  if (type === 'array' && typeOf(schema.items ?? {}) === 'string' && !raw.trimStart().startsWith('[')) {
    return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new InvalidArgumentError(`--${name} takes JSON, e.g. ${type === 'array' ? '["a","b"]' : '{"key":"value"}'}.`);
  }
}

/** camelCase -> kebab-case, for option flags. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
