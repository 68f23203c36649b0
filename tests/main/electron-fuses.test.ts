// The packaged binary's fuses, read from electron-builder.yml: each one the shell's security relies on, as it must be.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CONFIG = readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8');

const EXPECTED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  grantFileProtocolExtraPrivileges: false,
  enableCookieEncryption: true,
};

/** The top-level keys of the file, in order, with their line's value (no YAML parser is a dependency of the project). */
function topLevelKeys(text: string): [string, string][] {
  return text.split('\n').flatMap((line): [string, string][] => {
    const match = /^([A-Za-z][\w-]*):(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!.trim()]] : [];
  });
}

/**
 * The electronFuses block, read strictly: every line under it must be `  name: true|false` (a comment or a blank line
 * aside), so a quoted value, a nested map, an anchor or a flow mapping fails here instead of being misread.
 */
function fusesOf(text: string): Record<string, boolean> {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^electronFuses:\s*(#.*)?$/.test(line));
  if (start === -1) throw new Error('electron-builder.yml has no electronFuses block');
  const fuses: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (!/^\s/.test(line)) break;
    const match = /^ {2}([A-Za-z]+): (true|false)\s*(#.*)?$/.exec(line);
    if (!match) throw new Error(`electronFuses has a line this test cannot read: ${JSON.stringify(line)}`);
    const [, name = '', value] = match;
    if (name in fuses) throw new Error(`electronFuses sets ${name} twice`);
    fuses[name] = value === 'true';
  }
  return fuses;
}

describe('electron-builder.yml', () => {
  it('has one electronFuses block', () => {
    expect(topLevelKeys(CONFIG).filter(([key]) => key === 'electronFuses')).toEqual([['electronFuses', '']]);
  });

  it.each(Object.entries(EXPECTED_FUSES))('sets the fuse %s to %s', (name, value) => {
    expect(fusesOf(CONFIG)[name]).toBe(value);
  });

  it('sets no fuse beyond those, so a new one is a reviewed change of this test', () => {
    expect(fusesOf(CONFIG)).toEqual(EXPECTED_FUSES);
  });

  it('packs the app into an asar archive, which the integrity and asar-only fuses need', () => {
    expect(topLevelKeys(CONFIG)).toContainEqual(['asar', 'true']);
    expect(CONFIG).not.toMatch(/disableIntegrity|asarUnpack/);
  });

  it('reads the block strictly', () => {
    expect(() => fusesOf('electronFuses:\n  runAsNode: "false"\n')).toThrow('cannot read');
    expect(() => fusesOf('electronFuses:\n  runAsNode: false\n  runAsNode: true\n')).toThrow('twice');
    expect(() => fusesOf('electronFuses: { runAsNode: false }\n')).toThrow('no electronFuses block');
    expect(fusesOf('electronFuses:\n  # off\n  runAsNode: false\n\nmac:\n  x: true\n')).toEqual({ runAsNode: false });
  });
});
