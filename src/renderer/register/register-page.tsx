// Registration, for a Mac that is not enrolled: server URL, user name and PIN; Apps@Work opens as soon as it worked.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { EnrollParams } from '../../shared/agent-service-contract';
import { useI18n } from '../i18n/use-i18n';
import { queryKeys } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { TextField } from '../shell/text-field';
import { enrollErrorMessage } from './enroll-error';
import './register.css';

type Field = keyof EnrollParams;
const FIELDS: Field[] = ['serverUrl', 'username', 'pin'];

export function RegisterPage() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [values, setValues] = useState<EnrollParams>({ serverUrl: '', username: '', pin: '' });
  const [missing, setMissing] = useState<Field[]>([]);
  const enroll = useMutation({
    mutationFn: (params: EnrollParams) => api.enroll(params),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.status });
      await navigate('/apps', { replace: true });
      // The page's content policy was set when it loaded, before the server was known: load it again so the policy
      // lets in the enrolled server's images (app icons, screenshots). The memory router starts on Apps@Work again.
      window.location.reload();
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = { serverUrl: values.serverUrl.trim(), username: values.username.trim(), pin: values.pin };
    const empty = FIELDS.filter((field) => trimmed[field] === '');
    setMissing(empty);
    if (empty.length > 0) {
      document.getElementById(`register-${empty[0]}`)?.focus();
      return;
    }
    enroll.mutate(trimmed);
  }

  const field = (name: Field) => ({
    id: `register-${name}`,
    name,
    value: values[name],
    error: missing.includes(name) ? t('register.required') : null,
    onChange: (event: { target: { value: string } }) => setValues((before) => ({ ...before, [name]: event.target.value })),
  });

  return (
    <main className="standalone">
      <form className="register card" onSubmit={submit} noValidate aria-labelledby="register-title">
        <h1 id="register-title">{t('register.title')}</h1>
        <p className="muted">{t('register.intro')}</p>
        {enroll.isError && (
          <p role="alert" className="alert">
            {t(enrollErrorMessage(enroll.error))}
          </p>
        )}
        <TextField label={t('register.serverUrl')} hint={t('register.serverUrlHint')} type="url" inputMode="url" autoComplete="url" spellCheck={false} required {...field('serverUrl')} />
        <TextField label={t('register.username')} type="text" autoComplete="username" spellCheck={false} required {...field('username')} />
        <TextField label={t('register.pin')} hint={t('register.pinHint')} type="password" autoComplete="one-time-code" required {...field('pin')} />
        <div className="form-actions">
          {enroll.isPending && <span className="spinner" aria-hidden="true" />}
          <button type="submit" disabled={enroll.isPending}>
            {enroll.isPending ? t('register.submitting') : t('register.submit')}
          </button>
        </div>
      </form>
    </main>
  );
}

