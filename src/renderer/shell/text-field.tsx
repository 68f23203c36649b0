// A labelled text field with its hint and its validation message, tied to the input for assistive technology.
import { useId } from 'react';
import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';

interface FieldText {
  label: string;
  /** The input's id, for a caller that focuses it; a generated one otherwise. */
  id?: string;
  hint?: string;
  /** The validation message; the field is marked invalid while it is set. */
  error?: string | null;
}

export type TextFieldProps = FieldText & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'aria-invalid' | 'aria-describedby'>;
export type TextAreaFieldProps = FieldText & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'aria-invalid' | 'aria-describedby'>;

export function TextField({ id, label, hint, error, ...input }: TextFieldProps) {
  const ids = useFieldIds(id);
  return (
    <FieldFrame ids={ids} label={label} hint={hint} error={error}>
      <input id={ids.input} aria-invalid={error ? true : undefined} aria-describedby={describedBy(ids, hint, error)} {...input} />
    </FieldFrame>
  );
}

export function TextAreaField({ id, label, hint, error, ...textarea }: TextAreaFieldProps) {
  const ids = useFieldIds(id);
  return (
    <FieldFrame ids={ids} label={label} hint={hint} error={error}>
      <textarea id={ids.input} aria-invalid={error ? true : undefined} aria-describedby={describedBy(ids, hint, error)} {...textarea} />
    </FieldFrame>
  );
}

type FieldIds = { input: string; hint: string; error: string };

function useFieldIds(given: string | undefined): FieldIds {
  const id = useId();
  return { input: given ?? `${id}-input`, hint: `${id}-hint`, error: `${id}-error` };
}

function describedBy(ids: FieldIds, hint: string | undefined, error: string | null | undefined): string | undefined {
  const parts = [error ? ids.error : null, hint ? ids.hint : null].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function FieldFrame({ ids, label, hint, error, children }: FieldText & { ids: FieldIds; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={ids.input}>{label}</label>
      {children}
      {error && (
        <p id={ids.error} className="field-error">
          {error}
        </p>
      )}
      {hint && (
        <p id={ids.hint} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
