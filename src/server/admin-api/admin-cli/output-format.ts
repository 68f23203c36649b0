// How admin CLI answers print for a person: lists as aligned tables, single resources as `key: value` lines.
type Json = Record<string, unknown>;

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const cell = (v: unknown): string => (v === null || v === undefined ? '-' : isScalar(v) ? String(v) : JSON.stringify(v));

function table(rows: Json[]): string {
  if (rows.length === 0) return '(none)';
  const columns = Object.keys(rows[0] ?? {}).filter((k) => rows.every((r) => isScalar(r[k]) || r[k] === undefined));
  const cells = [columns, ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells.map((line) => line.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Renders an admin API answer for the terminal. */
export function formatForPerson(answer: unknown): string {
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return cell(answer);
  const body = answer as Json;
  const lists = Object.entries(body).filter(([, v]) => Array.isArray(v));
  const page = body.page as { limit: number; offset: number; total: number } | undefined;
  // A list may come with facts about it (a device's apps with when they were reported): those print below the table.
  const notes = Object.entries(body).filter(([k, v]) => k !== lists[0]?.[0] && k !== 'page' && isScalar(v));
  if (lists.length === 1 && Object.keys(body).length === 1 + notes.length + (page ? 1 : 0)) {
    const rows = lists[0]?.[1] as Json[];
    const footer = page ? `\n${rows.length === 0 ? 0 : page.offset + 1}-${page.offset + rows.length} of ${page.total}` : '';
    return `${table(rows)}${footer}${notes.map(([k, v]) => `\n${k}: ${cell(v)}`).join('')}`;
  }
  const width = Math.max(...Object.keys(body).map((k) => k.length));
  return Object.entries(body)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${cell(v)}`)
    .join('\n');
}
