// Ratings & Reviews: the summary, "Write a review" or "Edit your review", and the reviews newest first, paged.
import { useState } from 'react';
import type { AppDetails, Review } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { useReviewsQuery } from '../shell/agent-queries';
import { ErrorState, LoadingState } from '../shell/async-state';
import { Stars } from '../shell/stars';
import { RatingSummary } from './rating-summary';
import { ReviewFormDialog } from './review-form-dialog';

export function ReviewsSection({ app }: { app: AppDetails }) {
  const { t } = useI18n();
  const [writing, setWriting] = useState(false);
  return (
    <section aria-labelledby="reviews-heading" className="detail-section">
      <div className="section-heading">
        <h2 id="reviews-heading">{t('rating.heading')}</h2>
        <button type="button" className="secondary" onClick={() => setWriting(true)}>
          {app.myReview === null ? t('reviews.write') : t('reviews.edit')}
        </button>
      </div>
      <RatingSummary rating={app.rating} />
      <ReviewList appId={app.id} />
      {writing && <ReviewFormDialog app={app} onClose={() => setWriting(false)} />}
    </section>
  );
}

function ReviewList({ appId }: { appId: string }) {
  const { t } = useI18n();
  const reviews = useReviewsQuery(appId);
  if (reviews.isPending) return <LoadingState label={t('reviews.loading')} />;
  if (reviews.isError) return <ErrorState message={t('reviews.error')} error={reviews.error} onRetry={() => void reviews.refetch()} />;
  const list = reviews.data.pages.flatMap((page) => page.reviews);
  if (list.length === 0) return <p className="muted">{t('reviews.empty')}</p>;
  return (
    <>
      <p className="muted">{t('reviews.count', { count: reviews.data.pages[0]?.page.total ?? list.length })}</p>
      <ul className="review-list">
        {list.map((review) => (
          <ReviewItem key={review.id} review={review} />
        ))}
      </ul>
      {reviews.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void reviews.fetchNextPage()} disabled={reviews.isFetchingNextPage}>
          {reviews.isFetchingNextPage ? t('reviews.loading') : t('reviews.showMore')}
        </button>
      )}
    </>
  );
}

function ReviewItem({ review }: { review: Review }) {
  const { t, rich, date } = useI18n();
  const edited = review.updatedAt !== review.createdAt;
  return (
    <li className="review">
      <article aria-labelledby={`review-${review.id}`}>
        <div className="review-heading">
          <h3 id={`review-${review.id}`}>{review.title}</h3>
          <span className="review-stars">
            <Stars value={review.rating} />
            <span className="visually-hidden">{t('rating.stars', { rating: review.rating })}</span>
          </span>
        </div>
        <p className="review-byline muted">
          {rich(edited ? 'reviews.bylineEdited' : 'reviews.byline', { author: review.author, date: <time dateTime={review.updatedAt}>{date(review.updatedAt)}</time> })}
        </p>
        <p className="review-text">{review.text}</p>
      </article>
    </li>
  );
}
