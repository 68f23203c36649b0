// Stars 1–5 as a radio group: arrow keys move between them, each named "N stars", the chosen ones drawn filled.
import { useI18n } from '../i18n/use-i18n';

const VALUES = [1, 2, 3, 4, 5] as const;

export interface StarRadioGroupProps {
  /** The first radio's id, so a caller can move focus to the group. */
  id: string;
  value: number | null;
  error: string | null;
  onChange(value: number): void;
}

export function StarRadioGroup({ id, value, error, onChange }: StarRadioGroupProps) {
  const { t } = useI18n();
  const errorId = `${id}-error`;
  return (
    <fieldset className="field star-group" aria-describedby={error ? errorId : undefined}>
      <legend>{t('reviewForm.rating')}</legend>
      <div className="star-options">
        {VALUES.map((stars) => {
          const inputId = stars === 1 ? id : `${id}-${stars}`;
          return (
            <span key={stars} className="star-option">
              <input type="radio" id={inputId} name={id} value={stars} checked={value === stars} onChange={() => onChange(stars)} className="visually-hidden" />
              <label htmlFor={inputId} className={value !== null && stars <= value ? 'star star-on' : 'star'}>
                <span className="visually-hidden">{t('reviewForm.star', { rating: stars })}</span>
              </label>
            </span>
          );
        })}
      </div>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
