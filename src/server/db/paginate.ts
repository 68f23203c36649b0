// One page of a list query and how many rows match in all: the paging every admin list answers with.
import { sql, type SelectQueryBuilder } from 'kysely';

export interface Page {
  limit: number;
  offset: number;
  total: number;
}

/** Runs `query` (its selection and order set) for one page, and counts all it matches without them. */
export async function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  { limit, offset }: { limit: number; offset: number },
): Promise<{ rows: O[]; page: Page }> {
  const counted = query.clearSelect().clearOrderBy().select(sql<number | string | bigint>`count(*)`.as('n'));
  const [rows, count] = await Promise.all([
    query.limit(limit).offset(offset).execute(),
    // Kysely cannot resolve the selection's type over a generic DB; it is the one column selected above.
    counted.executeTakeFirstOrThrow() as Promise<{ n: number | string | bigint }>,
  ]);
  // PostgreSQL answers count(*) as a bigint string, SQLite as a number.
  return { rows, page: { limit, offset, total: Number(count.n) } };
}
