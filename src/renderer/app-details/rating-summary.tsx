// The rating summary: the average with one decimal ("4.3 out of 5"), how many rated, and a bar per star value 5..1.
import type { RatingSummary as Rating } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { formatRating } from '../shell/format';

const STAR_VALUES = [5, 4, 3, 2, 1] as const;

export function RatingSummary({ rating }: { rating: Rating }) {
  const { t, rich, intl } = useI18n();
  if (rating.average === null || rating.count === 0) return <p className="muted">{t('rating.none')}</p>;
  const average = formatRating(intl, rating.average);
  return (
    <div className="rating-summary">
      <div className="rating-average">
        <p className="rating-out-of" data-testid="rating-average">
          {rich('rating.outOf', { average, big: (chunks) => <span className="rating-big">{chunks}</span> })}
        </p>
        <p className="muted">{t('rating.count', { count: rating.count })}</p>
      </div>
      <ul className="histogram" aria-label={t('rating.histogram')}>
        {STAR_VALUES.map((stars) => {
          const count = rating.histogram[stars - 1] ?? 0;
          const percent = (count / rating.count) * 100;
          return (
            <li key={stars} className="histogram-row">
              <span className="visually-hidden">{t('rating.histogramRow', { stars, count })}</span>
              <span className={`histogram-stars histogram-stars-${stars}`} aria-hidden="true" />
              <span className="histogram-bar" aria-hidden="true">
                <span className="histogram-fill" style={{ width: `${percent}%` }} />
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
