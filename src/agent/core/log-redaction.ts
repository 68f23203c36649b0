// Secrets never reach a log file: the values of fields named like a secret, and anything in a message or a value that
// looks like one (an enrollment token, a bearer token, a signed ticket, a private key, the bridge's URL token).
import type { LogFields } from './ports';

const REDACTED = '[redacted]';

/** Field names whose values are secrets whatever they hold. */
function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'pin' || /(token|secret|password|passphrase|authorization|cookie|privatekey|ticket)$/.test(lower);
}

const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  [/\batwe_[A-Za-z0-9_-]{20,}/g, 'atwe_[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // A JWS (device tokens, install and package tickets): header and payload are base64url JSON, starting "eyJ".
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  [/([#?&](?:token|pin)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

export function redactLogText(text: string): string {
  return SECRET_PATTERNS.reduce((redacted, [pattern, replacement]) => redacted.replace(pattern, replacement), text);
}

const MAX_DEPTH = 6;

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactLogText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) return redactLogText(value.message);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isSecretName(key) ? REDACTED : redactValue(item, depth + 1)]));
}

/** `fields` with every secret replaced; never changes `fields`. */
export function redactLogFields(fields: LogFields | undefined): LogFields | undefined {
  return fields === undefined ? undefined : (redactValue(fields, 0) as LogFields);
}
