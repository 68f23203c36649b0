// Test data: request bodies no device endpoint may answer with a 5xx, shared by the device API tests.

/** [what it is, the raw body, its content type when not JSON]. */
export const BAD_DEVICE_BODIES: [string, string, string?][] = [
  ['truncated JSON', '{"agentVersion":'],
  ['not JSON at all', '\u0000\u0001binary'],
  ['a JSON array', '[]'],
  ['deeply nested arrays', `${'['.repeat(4000)}${']'.repeat(4000)}`],
  ['a prototype-polluting object', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
  ['wrong types everywhere', '{"agentVersion":7,"osVersion":null,"results":{},"events":"x","username":[],"pin":{}}'],
  ['a non-JSON content type', 'agentVersion=1', 'application/x-www-form-urlencoded'],
];
