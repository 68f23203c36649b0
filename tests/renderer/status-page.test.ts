// The status page rendered to HTML: the test hooks, headings, table semantics and alerts the brief promises.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/shared/agent-status';
import { StatusPage } from '../../src/renderer/status/status-page';
import { makeRun, makeStatus } from '../support/fake-agent-service';

function render(status: AgentStatus | null, error: string | null = null, checkingIn = false): string {
  return renderToStaticMarkup(createElement(StatusPage, { status, error, checkingIn, onCheckInNow: () => undefined }));
}

/** The text inside the first element carrying data-testid, tags stripped. */
function testIdText(html: string, testId: string): string | null {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([\\s\\S]*?)</(dd|td|pre|p)>`).exec(html);
  return match?.[1]?.replace(/<[^>]+>/g, '') ?? null;
}

describe('StatusPage', () => {
  it('shows the device, its enrollment and check-in times with their test hooks', () => {
    const html = render(makeStatus());
    expect(html).toContain('<h1>Atwork</h1>');
    expect(html).toContain('<h2 id="device-heading">This Mac</h2>');
    expect(testIdText(html, 'device-id')).toBe('dev-1234');
    expect(html).toContain('http://127.0.0.1:4000');
    expect(testIdText(html, 'enrolled')).toBe('Enrolled');
    expect(html).toMatch(/data-testid="last-checkin"><time dateTime="2026-11-24T10:00:05.000Z">/);
    expect(html).toMatch(/data-testid="next-checkin"><time dateTime="2026-11-24T10:15:05.000Z">/);
    expect(html).not.toContain('role="alert"');
  });

  it('says when the device is not enrolled and has never checked in, and disables "Check in now"', () => {
    const html = render(makeStatus({ enrolled: false, deviceId: null, lastCheckinAt: null, nextCheckinAt: null, recentRuns: [] }));
    expect(testIdText(html, 'enrolled')).toBe('Not enrolled');
    expect(testIdText(html, 'last-checkin')).toBe('Never');
    expect(html).toMatch(/<button type="button" disabled="">Check in now<\/button>/);
    expect(html).toContain('No scripts have run on this Mac yet.');
    expect(html).not.toContain('<table');
  });

  it('enables "Check in now" for an enrolled device and shows progress while checking in', () => {
    expect(render(makeStatus())).toMatch(/<button type="button">Check in now<\/button>/);
    expect(render(makeStatus(), null, true)).toMatch(/<button type="button" disabled="">Checking in…<\/button>/);
  });

  it('shows the last check-in error as an alert', () => {
    const html = render(makeStatus({ lastCheckinError: 'The server did not answer.' }));
    expect(html).toMatch(/<p role="alert"[^>]*>The last check-in failed: The server did not answer\.<\/p>/);
  });

  it('shows a failure to read the status as an alert instead of the page', () => {
    const html = render(null, 'Could not read the agent status: connection refused');
    expect(html).toMatch(/role="alert"[^>]*>Could not read the agent status: connection refused</);
    expect(html).not.toContain('data-testid="device-id"');
  });

  it('lists runs in a captioned table with header cells, one row group per run', () => {
    const html = render(
      makeStatus({
        recentRuns: [
          makeRun(),
          makeRun({ executionId: 'x2', scriptName: 'slow', status: 'timed_out', exitCode: null, signal: 'SIGTERM', timedOut: true, stdout: '', stderr: 'partial <b>\n' }),
          makeRun({ executionId: 'x3', scriptName: 'forged', status: 'rejected', exitCode: null, stdout: '', error: 'The ticket signature is invalid.' }),
        ],
      }),
    );
    expect(html).toContain('<caption>');
    expect(html).toContain('<th scope="col">Exit code</th>');
    expect(html.match(/data-testid="run-row"/g)).toHaveLength(3);
    expect(html).toContain('<th scope="row" class="script-name">hello</th>');
    expect(testIdText(html, 'run-stdout')).toBe('Hello from Atwork\n');
    expect(html.match(/data-testid="run-exit-code">([^<]*)</g)).toEqual([
      'data-testid="run-exit-code">0<',
      'data-testid="run-exit-code">SIGTERM (timed out)<',
      'data-testid="run-exit-code">—<',
    ]);
    expect(html).toContain('Timed out');
    // Output is text, never markup.
    expect(testIdText(html, 'run-stderr')).toBe('partial &lt;b&gt;\n');
    expect(testIdText(html, 'run-error')).toBe('The ticket signature is invalid.');
  });
});
