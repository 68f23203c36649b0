// One try of the pending automated enrollment: settled when it enrolled or the server refused it for good, kept when
// the server could not answer, and a refused file reported in the status.
import { describe, expect, it, vi } from 'vitest';
import { ServiceError } from '../../src/shared/agent-service-contract';
import { enrollFromInbox, type EnrollmentInbox } from '../../src/agent/service/automated-enrollment';

const PENDING = { serverUrl: 'https://mdm.example.com', token: `atwe_${'A'.repeat(43)}` };
const quiet = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function inbox(take: EnrollmentInbox['take']): EnrollmentInbox & { settle: ReturnType<typeof vi.fn> } {
  return { take, settle: vi.fn(async () => undefined) };
}

describe('automated enrollment', () => {
  it('enrolls with the pending server and token and forgets them', async () => {
    const box = inbox(async () => PENDING);
    const enroll = vi.fn(async () => ({ deviceId: 'dev-1' }));
    expect(await enrollFromInbox(box, enroll, quiet)).toBeNull();
    expect(enroll).toHaveBeenCalledWith(PENDING);
    expect(box.settle).toHaveBeenCalledTimes(1);
  });

  it('does nothing without a pending enrollment', async () => {
    const box = inbox(async () => null);
    const enroll = vi.fn();
    expect(await enrollFromInbox(box, enroll, quiet)).toBeNull();
    expect(enroll).not.toHaveBeenCalled();
    expect(box.settle).not.toHaveBeenCalled();
  });

  it.each(['server_unreachable', 'rate_limited', 'unknown'] as const)('keeps the enrollment for the next round when the answer is %s', async (code) => {
    const box = inbox(async () => PENDING);
    const problem = await enrollFromInbox(box, async () => Promise.reject(new ServiceError(code, 'The server did not answer.')), quiet);
    expect(problem).toBe('automated enrollment with https://mdm.example.com: The server did not answer. (tried again at the next check-in)');
    expect(box.settle).not.toHaveBeenCalled();
  });

  it('forgets a token the server refused, and says so', async () => {
    const box = inbox(async () => PENDING);
    const refused = new ServiceError('wrong_pin', 'The enrollment token is unknown, revoked or expired; ask your administrator for a new one.');
    expect(await enrollFromInbox(box, async () => Promise.reject(refused), quiet)).toBe(`automated enrollment with https://mdm.example.com: ${refused.message}`);
    expect(box.settle).toHaveBeenCalledTimes(1);
  });

  it('reports a refused file', async () => {
    const box = inbox(async () => Promise.reject(new Error('the enrollment file /x is writable by other users than its owner')));
    expect(await enrollFromInbox(box, vi.fn(), quiet)).toBe('automated enrollment: the enrollment file /x is writable by other users than its owner');
  });
});
