// The "Recent script runs" table: one row group per run with its outcome and captured output.
import type { RunSummary } from '../../preload/contract';
import type { RunStatus } from '../../shared/script-result';
import { formatDateTime, formatDuration } from '../display-format';

const STATUS_LABELS: Record<RunStatus, string> = {
  completed: 'Completed',
  failed: 'Failed',
  timed_out: 'Timed out',
  interrupted: 'Interrupted',
  rejected: 'Rejected',
};

export function RecentRuns({ runs }: { runs: RunSummary[] }) {
  if (runs.length === 0) {
    return <p className="empty">No scripts have run on this Mac yet.</p>;
  }
  return (
    <table className="runs">
      <caption>The latest scripts this Mac ran, newest first, with their output.</caption>
      <thead>
        <tr>
          <th scope="col">Script</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Exit code</th>
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
  return (
    <tbody data-testid="run-row" className="run">
      <tr>
        <th scope="row" className="script-name">
          {run.scriptName}
        </th>
        <td>
          <span className={`badge badge-${run.status}`}>{STATUS_LABELS[run.status]}</span>
        </td>
        <td>
          <time dateTime={run.startedAt}>{formatDateTime(run.startedAt)}</time>
        </td>
        <td>{formatDuration(run.durationMs)}</td>
        <td data-testid="run-exit-code">{describeEnd(run)}</td>
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
  const empty = run.stdout === '' && run.stderr === '' && run.error === null;
  return (
    <div className="output">
      {run.error !== null && (
        <p className="run-error" data-testid="run-error">
          {run.error}
        </p>
      )}
      {run.stdout !== '' && <Stream label="Output" testId="run-stdout" text={run.stdout} />}
      {run.stderr !== '' && <Stream label="Errors" testId="run-stderr" text={run.stderr} />}
      {empty && <p className="muted">The script printed nothing.</p>}
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
function describeEnd(run: RunSummary): string {
  if (run.exitCode !== null) return String(run.exitCode);
  if (run.signal !== null) return run.timedOut ? `${run.signal} (timed out)` : run.signal;
  return '—';
}
