// The "Recent script runs" table: one row group per run with its outcome and captured output.
import type { RunSummary } from '../../preload/contract';
import type { I18n } from '../i18n/use-i18n';
import { useI18n } from '../i18n/use-i18n';
import { formatDuration } from '../shell/format';

export function RecentRuns({ runs }: { runs: RunSummary[] }) {
  const { t } = useI18n();
  if (runs.length === 0) {
    return <p className="empty">{t('runs.empty')}</p>;
  }
  return (
    <table className="runs">
      <caption>{t('runs.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('runs.script')}</th>
          <th scope="col">{t('runs.status')}</th>
          <th scope="col">{t('runs.started')}</th>
          <th scope="col">{t('runs.duration')}</th>
          <th scope="col">{t('runs.exitCode')}</th>
        </tr>
      </thead>
      {runs.map((run) => (
        <RunRows key={run.executionId} run={run} />
      ))}
    </table>
  );
}

/** A run's summary row and its output row, grouped so a test (or a screen reader) finds them together. */
function RunRows({ run }: { run: RunSummary }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <tbody data-testid="run-row" className="run">
      <tr>
        <th scope="row" className="script-name">
          {run.scriptName}
        </th>
        <td>
          <span className={`badge badge-${run.status}`}>{t(`runs.${run.status}`)}</span>
        </td>
        <td>
          <time dateTime={run.startedAt}>{i18n.dateTime(run.startedAt)}</time>
        </td>
        <td>{formatDuration(i18n.intl, run.durationMs)}</td>
        <td data-testid="run-exit-code">{describeEnd(run, i18n)}</td>
      </tr>
      <tr className="output-row">
        <td colSpan={5}>
          <RunOutput run={run} />
        </td>
      </tr>
    </tbody>
  );
}

function RunOutput({ run }: { run: RunSummary }) {
  const { t } = useI18n();
  const empty = run.stdout === '' && run.stderr === '' && run.error === null;
  return (
    <div className="output">
      {run.error !== null && (
        <p className="run-error" data-testid="run-error">
          {run.error}
        </p>
      )}
      {run.stdout !== '' && <Stream label={t('runs.output')} testId="run-stdout" text={run.stdout} />}
      {run.stderr !== '' && <Stream label={t('runs.errors')} testId="run-stderr" text={run.stderr} />}
      {empty && <p className="muted">{t('runs.printedNothing')}</p>}
    </div>
  );
}

function Stream({ label, testId, text }: { label: string; testId: string; text: string }) {
  return (
    <figure className="stream">
      <figcaption>{label}</figcaption>
      <pre data-testid={testId}>{text}</pre>
    </figure>
  );
}

/** The exit code, else the signal that ended the run, else a dash for a run that never started. */
function describeEnd(run: RunSummary, { t }: I18n): string {
  if (run.exitCode !== null) return String(run.exitCode);
  if (run.signal !== null) return run.timedOut ? t('runs.signalTimedOut', { signal: run.signal }) : run.signal;
  return t('runs.noExit');
}
