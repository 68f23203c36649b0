// The two launchd jobs in build/launchd (issue 13): valid XML plists whose keys launchd reads as DESIGN.md §1 and §8 need them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';

const LAUNCHD_FOLDER = path.join(import.meta.dirname, '..', '..', 'build', 'launchd');
const APP_BINARY = '/Applications/Atwork.app/Contents/MacOS/Atwork';

interface Job {
  text: string;
  plist: Record<string, PlistValue>;
}

async function readJob(fileName: string): Promise<Job> {
  const text = await readFile(path.join(LAUNCHD_FOLDER, fileName), 'utf8');
  const plist = parse(text);
  if (typeof plist !== 'object' || plist === null || Array.isArray(plist) || plist instanceof Date || Buffer.isBuffer(plist)) {
    throw new Error(`${fileName} is not a dictionary at the top`);
  }
  return { text, plist: plist as Record<string, PlistValue> };
}

/** Every <key> of every dictionary, counted; the plist parser keeps the last of two equal keys, so a doubled key shows as a difference. */
function keyCount(value: PlistValue): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + keyCount(item), 0);
  if (typeof value !== 'object' || value === null || value instanceof Date || Buffer.isBuffer(value)) return 0;
  return Object.values(value).reduce<number>((sum, item) => sum + 1 + keyCount(item), 0);
}

function stringsOf(value: PlistValue): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value !== 'object' || value === null || value instanceof Date || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
}

describe.each([
  ['org.atwork.agent.daemon.plist', 'org.atwork.agent.daemon'],
  ['org.atwork.agent.ui.plist', 'org.atwork.agent.ui'],
])('%s', (fileName, label) => {
  it('is an XML property list with Apple\'s header and no doubled or empty keys', async () => {
    const { text, plist } = await readJob(fileName);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n')).toBe(true);
    expect(text).toMatch(/<plist version="1\.0">\s*<dict>[\s\S]*<\/dict>\s*<\/plist>\s*$/);
    expect((text.match(/<key>/g) ?? []).length).toBe(keyCount(plist));
    // The parser reads `<key>X</key>` with no value, or a broken <integer>, as empty or null instead of failing.
    expect(Object.values(plist).every((value) => value !== null && value !== '')).toBe(true);
  });

  it('is labelled as its file is named, since launchctl bootout and uninstall.sh find it by that label', async () => {
    const { plist } = await readJob(fileName);
    expect(plist.Label).toBe(label);
    expect(`${label}.plist`).toBe(fileName);
  });

  it('starts the app binary by its full path, names the app for Login Items, and expands no ~', async () => {
    const { plist } = await readJob(fileName);
    const args = plist.ProgramArguments as string[];
    expect(args[0]).toBe(APP_BINARY);
    expect(plist).not.toHaveProperty('Program');
    expect(plist.AssociatedBundleIdentifiers).toEqual(['org.atwork.agent']);
    // launchd passes ~ and $HOME through literally; a path with either would name a folder that does not exist.
    expect(stringsOf(plist).filter((value) => /~|\$HOME/.test(value))).toEqual([]);
  });
});

describe('the agent daemon (LaunchDaemon)', () => {
  it('runs the app with --daemon as root, at load, and is always restarted, at most every 30 s', async () => {
    const { plist } = await readJob('org.atwork.agent.daemon.plist');
    expect(plist).toEqual({
      Label: 'org.atwork.agent.daemon',
      AssociatedBundleIdentifiers: ['org.atwork.agent'],
      ProgramArguments: [APP_BINARY, '--daemon'],
      EnvironmentVariables: { ATWORK_STATE_DIR: '/Library/Application Support/Atwork/agent' },
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 30,
      ProcessType: 'Standard',
      StandardOutPath: '/Library/Logs/Atwork/daemon.out.log',
      StandardErrorPath: '/Library/Logs/Atwork/daemon.err.log',
    });
  });

  it('names no user or group, so it runs as root, and keeps its launchd output apart from the app\'s own daemon.log', async () => {
    const { plist } = await readJob('org.atwork.agent.daemon.plist');
    for (const key of ['UserName', 'GroupName', 'LimitLoadToSessionType', 'SessionCreate']) expect(plist).not.toHaveProperty(key);
    expect([plist.StandardOutPath, plist.StandardErrorPath]).not.toContain('/Library/Logs/Atwork/daemon.log');
  });
});

describe('the UI (LaunchAgent)', () => {
  it('runs the app without --daemon in graphical logins only, restarting it after a crash but not after the user quits it', async () => {
    const { plist } = await readJob('org.atwork.agent.ui.plist');
    expect(plist).toEqual({
      Label: 'org.atwork.agent.ui',
      AssociatedBundleIdentifiers: ['org.atwork.agent'],
      ProgramArguments: [APP_BINARY],
      LimitLoadToSessionType: 'Aqua',
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 30,
      ProcessType: 'Interactive',
    });
  });

  it('sends launchd no output paths, which it could not make per user; the app writes its log under ~/Library/Logs/Atwork', async () => {
    const { plist } = await readJob('org.atwork.agent.ui.plist');
    expect(plist).not.toHaveProperty('StandardOutPath');
    expect(plist).not.toHaveProperty('StandardErrorPath');
    expect(plist).not.toHaveProperty('UserName');
  });
});

describe('packaging', () => {
  it('ships both plists and the uninstall script in the app\'s resources', async () => {
    const config = await readFile(path.join(import.meta.dirname, '..', '..', 'electron-builder.yml'), 'utf8');
    expect(config).toMatch(/- from: build\/launchd\n\s+to: launchd\n/);
    expect(config).toMatch(/- from: build\/uninstall\.sh\n\s+to: uninstall\.sh\n/);
  });
});
