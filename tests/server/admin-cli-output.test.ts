// How the admin CLI prints a list for a person: a table with its page, and facts about the list (a device's inventory report time) below it.
import { describe, expect, it } from 'vitest';
import { formatForPerson } from '../../src/server/admin-api/admin-cli/output-format';

describe('admin CLI output', () => {
  it('prints a list as a table, its page, and the scalar facts that come with it', () => {
    const answer = {
      receipts: [
        { packageId: 'com.apple.pkg.Core', version: '15.1', installedAt: null },
        { packageId: 'com.example.tool.pkg', version: '2.1', installedAt: '2026-11-30T08:15:00.000Z' },
      ],
      page: { limit: 100, offset: 0, total: 2 },
      reportedAt: '2026-12-01T10:00:00.000Z',
    };
    expect(formatForPerson(answer).split('\n')).toEqual([
      'packageId             version  installedAt',
      'com.apple.pkg.Core    15.1     -',
      'com.example.tool.pkg  2.1      2026-11-30T08:15:00.000Z',
      '1-2 of 2',
      'reportedAt: 2026-12-01T10:00:00.000Z',
    ]);
  });

  it('prints a resource with a list in it as key: value lines', () => {
    expect(formatForPerson({ id: 'd1', inventory: { apps: 2 }, groups: [] })).toBe('id:        d1\ninventory: {"apps":2}\ngroups:    []');
  });
});
