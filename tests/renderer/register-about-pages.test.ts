// Registration (its fields and a sentence per failure code), About (this Mac and Uninstall) and Activity, rendered.
import { describe, expect, it } from 'vitest';
import { SERVICE_ERROR_CODES, ServiceError } from '../../src/shared/agent-service-contract';
import { enrollErrorMessage } from '../../src/renderer/register/enroll-error';
import { en } from '../../src/renderer/i18n/messages.en';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { FakeAgentService, makeStatus } from '../support/fake-agent-service';
import { renderAt, textOf } from './render-app';

const NOT_ENROLLED = makeStatus({ enrolled: false, serverUrl: null, deviceId: null, enrolledAt: null, lastCheckinAt: null });

describe('RegisterPage', () => {
  it('asks for the server URL, user name and PIN, each labelled, with a Register button', () => {
    const html = renderAt('/register', { status: NOT_ENROLLED });
    expect(html).toContain('<h1 id="register-title">Welcome to Atwork</h1>');
    for (const [id, label] of [['register-serverUrl', 'Server URL'], ['register-username', 'User name'], ['register-pin', 'PIN']]) {
      expect(html).toContain(`<label for="${id}">${label}</label>`);
      expect(html).toMatch(new RegExp(`<input id="${id}"[^>]*required=""`));
    }
    expect(html).toMatch(/<input id="register-pin"[^>]*type="password"/);
    expect(html).toContain('<button type="submit">Register</button>');
    expect(textOf(renderAt('/register', { status: NOT_ENROLLED, language: 'de' }))).toContain('Server-URL');
  });
});

describe('enrollErrorMessage', () => {
  it('gives each registration failure code its own sentence, over any transport', () => {
    expect(en[enrollErrorMessage(new ServiceError('wrong_pin', 'x'))]).toBe('The user name or PIN is not right. Check them and try again.');
    // Electron's IPC hands the renderer only the text of the rejection.
    expect(enrollErrorMessage(new Error("Error invoking remote method 'agent:enroll': ServiceError[pin_locked]: locked"))).toBe('register.error.pin_locked');
    for (const code of ['rate_limited', 'server_unreachable', 'not_atwork_server', 'already_enrolled', 'invalid_input'] as const) {
      expect(enrollErrorMessage(new ServiceError(code, 'x'))).toBe(`register.error.${code}`);
    }
  });

  it('falls back to one generic sentence for any other failure', () => {
    const specific = new Set(['wrong_pin', 'pin_locked', 'rate_limited', 'server_unreachable', 'not_atwork_server', 'already_enrolled', 'invalid_input']);
    for (const code of SERVICE_ERROR_CODES.filter((c) => !specific.has(c))) expect(enrollErrorMessage(new ServiceError(code, 'x'))).toBe('register.error.unknown');
    expect(enrollErrorMessage(new Error('socket hang up'))).toBe('register.error.unknown');
  });
});

describe('AboutPage', () => {
  const versionInfo = { agentVersion: '0.4.2', platform: 'darwin', arch: 'arm64', osName: 'macOS', osVersion: '15.1', nodeVersion: '20.19.0', electronVersion: '45.4.1' };

  it('shows the version, server, device id, registration date and last check-in, and an Uninstall button', () => {
    const html = renderAt('/about', { seed: (client) => client.setQueryData(queryKeys.versionInfo, versionInfo) });
    expect(html).toContain('<h1>About Atwork</h1>');
    const text = textOf(html);
    expect(text).toContain('Version 0.4.2');
    expect(text).toContain('System macOS 15.1 (arm64)');
    expect(text).toContain('Server http://127.0.0.1:4000');
    expect(text).toContain('Device ID dev-1234');
    expect(html).toMatch(/Registered since<\/dt><dd><time dateTime="2026-11-24T09:55:00.000Z">/);
    expect(html).toMatch(/Last check-in<\/dt><dd><time dateTime="2026-11-24T10:00:05.000Z">/);
    expect(html).toContain('<button type="button" class="destructive">Uninstall</button>');
  });

  it('says when this Mac was retired instead of offering Uninstall again', () => {
    const html = renderAt('/about', { status: makeStatus({ retiredAt: '2026-11-30T08:00:00.000Z' }), seed: (client) => client.setQueryData(queryKeys.versionInfo, versionInfo) });
    expect(textOf(html)).toContain('This Mac was retired on Nov 30, 2026');
    expect(html).not.toContain('class="destructive"');
  });

  it('dates in German on a German system', () => {
    const html = renderAt('/about', { language: 'de-DE', seed: (client) => client.setQueryData(queryKeys.versionInfo, versionInfo) });
    expect(textOf(html)).toContain('Registriert seit 24.11.2026');
  });
});

describe('ActivityPage', () => {
  it('keeps the status page, fed by the status query', () => {
    const html = renderAt('/activity', { api: new FakeAgentService() });
    expect(html).toContain('<h1>Atwork</h1>');
    expect(html).toContain('data-testid="device-id">dev-1234<');
    expect(html).toContain('<button type="button">Check in now</button>');
  });
});
