// Apps@Work reviews in the database: their table, one review per user per app, and the rating summary of the visible ones.
import { randomUUID } from 'node:crypto';
import type { RatingSummary, Review } from '../../shared/catalog-protocol';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export interface AppReviewsTable {
  id: string;
  app_id: string;
  user_id: string;
  rating: number;
  title: string;
  text: string;
  /** 1 when an administrator hid it: left out of the reviews devices see and of every rating. */
  hidden: number;
  created_at: string;
  updated_at: string;
}

/** Shown for a review whose author's account was deleted. */
const FORMER_USER = 'Former user';

function reviewsWithAuthors(db: Db) {
  return db
    .selectFrom('app_reviews as r')
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.app_id', 'r.user_id', 'r.rating', 'r.title', 'r.text', 'r.hidden', 'r.created_at', 'r.updated_at', 'u.username', 'u.display_name']);
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewsWithAuthors>['executeTakeFirstOrThrow']>>;

export function reviewView(r: ReviewRow): Review {
  return { id: r.id, rating: r.rating, title: r.title, text: r.text, author: r.display_name ?? r.username ?? FORMER_USER, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** An app's reviews newest first; `includeHidden` for the administrator, who decides what is hidden. */
export async function listReviews(db: Db, appId: string, includeHidden: boolean, page: { limit: number; offset: number }): Promise<{ rows: ReviewRow[]; page: Page }> {
  let base = reviewsWithAuthors(db).where('r.app_id', '=', appId);
  if (!includeHidden) base = base.where('r.hidden', '=', 0);
  return paginate(base.orderBy('r.updated_at', 'desc').orderBy('r.id'), page);
}

export function reviewOfUser(db: Db, appId: string, userId: string): Promise<ReviewRow | undefined> {
  return reviewsWithAuthors(db).where('r.app_id', '=', appId).where('r.user_id', '=', userId).executeTakeFirst();
}

export function reviewById(db: Db, appId: string, reviewId: string): Promise<ReviewRow | undefined> {
  return reviewsWithAuthors(db).where('r.app_id', '=', appId).where('r.id', '=', reviewId).executeTakeFirst();
}

/** Writes the user's review of an app, or replaces its text and stars: the (app, user) pair is unique, so two saves at once still leave one. */
export async function saveReview(db: Db, appId: string, userId: string, input: { rating: number; title: string; text: string }, now: string): Promise<void> {
  await db
    .insertInto('app_reviews')
    .values({ id: randomUUID(), app_id: appId, user_id: userId, ...input, hidden: 0, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['app_id', 'user_id']).doUpdateSet({ rating: input.rating, title: input.title, text: input.text, updated_at: now }))
    .execute();
}

export async function setReviewHidden(db: Db, reviewId: string, hidden: boolean): Promise<void> {
  await db.updateTable('app_reviews').set({ hidden: hidden ? 1 : 0 }).where('id', '=', reviewId).execute();
}

const NO_RATING: RatingSummary = { average: null, count: 0, histogram: [0, 0, 0, 0, 0] };

/** Average, count and histogram of the visible reviews of each of these apps. */
export async function ratingSummaries(db: Db, appIds: string[]): Promise<Map<string, RatingSummary>> {
  const summaries = new Map<string, RatingSummary>(appIds.map((id) => [id, { ...NO_RATING, histogram: [0, 0, 0, 0, 0] }]));
  if (appIds.length === 0) return summaries;
  const rows = await db
    .selectFrom('app_reviews')
    .select((eb) => ['app_id', 'rating', eb.fn.countAll<number | string | bigint>().as('n')])
    .where('app_id', 'in', appIds)
    .where('hidden', '=', 0)
    .groupBy(['app_id', 'rating'])
    .execute();
  for (const r of rows) {
    const summary = summaries.get(r.app_id);
    if (summary === undefined || r.rating < 1 || r.rating > 5) continue;
    summary.histogram[r.rating - 1] = Number(r.n);
  }
  for (const summary of summaries.values()) {
    summary.count = summary.histogram.reduce((a, b) => a + b, 0);
    const stars = summary.histogram.reduce((sum, n, i) => sum + n * (i + 1), 0);
    summary.average = summary.count === 0 ? null : Math.round((stars / summary.count) * 100) / 100;
  }
  return summaries;
}
