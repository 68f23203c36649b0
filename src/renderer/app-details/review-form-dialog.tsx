// "Write a review" / "Edit your review" in a dialog: 1–5 stars as a radio group, a title and a text, checked before saving.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { AppDetails, ReviewInput } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import type { MessageId } from '../i18n/messages.en';
import { queryKeys } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { errorText } from '../shell/error-text';
import { ModalDialog } from '../shell/modal-dialog';
import { TextAreaField, TextField } from '../shell/text-field';
import { StarRadioGroup } from './star-radio-group';

export const MAX_TITLE = 100;
export const MAX_TEXT = 2000;

type Draft = { rating: number | null; title: string; text: string };
type Problems = Partial<Record<keyof Draft, { id: MessageId; max?: number }>>;

/** What is wrong with a draft, per field; empty when it may be saved. */
export function validateReview(draft: Draft): Problems {
  const problems: Problems = {};
  if (draft.rating === null) problems.rating = { id: 'reviewForm.ratingRequired' };
  if (draft.title.trim() === '') problems.title = { id: 'reviewForm.titleRequired' };
  else if (draft.title.trim().length > MAX_TITLE) problems.title = { id: 'reviewForm.titleTooLong', max: MAX_TITLE };
  if (draft.text.trim() === '') problems.text = { id: 'reviewForm.textRequired' };
  else if (draft.text.trim().length > MAX_TEXT) problems.text = { id: 'reviewForm.textTooLong', max: MAX_TEXT };
  return problems;
}

export function ReviewFormDialog({ app, onClose }: { app: AppDetails; onClose(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const mine = app.myReview;
  const [draft, setDraft] = useState<Draft>({ rating: mine?.rating ?? null, title: mine?.title ?? '', text: mine?.text ?? '' });
  const [problems, setProblems] = useState<Problems>({});
  const save = useMutation({
    mutationFn: (review: ReviewInput) => api.saveReview(app.id, review),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.app(app.id) }), queryClient.invalidateQueries({ queryKey: queryKeys.reviews(app.id) })]);
      onClose();
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validateReview(draft);
    setProblems(found);
    const first = (['rating', 'title', 'text'] as const).find((field) => found[field] !== undefined);
    if (first !== undefined) {
      document.getElementById(`review-${first}`)?.focus();
      return;
    }
    save.mutate({ rating: draft.rating ?? 1, title: draft.title.trim(), text: draft.text.trim() });
  }

  const problem = (field: keyof Draft) => {
    const found = problems[field];
    return found === undefined ? null : t(found.id, { max: found.max });
  };
  const title = mine === null ? t('reviewForm.titleNew') : t('reviewForm.titleEdit');

  return (
    <ModalDialog labelledBy="review-form-title" className="review-dialog" onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <h2 id="review-form-title">{title}</h2>
        <p className="muted">{app.name}</p>
        {save.isError && (
          <p role="alert" className="alert">
            {t('reviewForm.saveError', { reason: errorText(i18n, save.error) })}
          </p>
        )}
        <StarRadioGroup id="review-rating" value={draft.rating} error={problem('rating')} onChange={(rating) => setDraft({ ...draft, rating })} />
        <TextField id="review-title" label={t('reviewForm.reviewTitle')} value={draft.title} maxLength={MAX_TITLE + 20} error={problem('title')} onChange={(event) => setDraft({ ...draft, title: event.target.value })} />
        <TextAreaField id="review-text" label={t('reviewForm.text')} value={draft.text} rows={5} error={problem('text')} onChange={(event) => setDraft({ ...draft, text: event.target.value })} />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t('app.cancel')}
          </button>
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? t('reviewForm.saving') : t('reviewForm.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
