// Turns command-line strings into the values a route's JSON Schema expects: numbers, booleans, lists and JSON objects.
import { InvalidArgumentError } from 'commander';

/** The part of a JSON Schema property the CLI reads to parse an option value. */
export interface PropertySchema {
  type?: string | string[];
  items?: PropertySchema;
  enum?: unknown[];
  description?: string;
}

const typeOf = (schema: PropertySchema): string | undefined => (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type);

/** Whether the property is a plain yes/no switch. */
export function isBooleanProperty(schema: PropertySchema): boolean {
  return typeOf(schema) === 'boolean';
}

/** Parses one option value for a property; `name` is the option, for the error message. */
export function parseOptionValue(name: string, raw: string, schema: PropertySchema): unknown {
  const type = typeOf(schema);
  if (type === 'string' || (type === undefined && schema.enum?.every((v) => typeof v === 'string'))) {
    if (raw === 'null' && Array.isArray(schema.type) && schema.type.includes('null')) return null;
    return raw;
  }
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
