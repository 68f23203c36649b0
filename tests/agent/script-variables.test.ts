// Variables and `{$name}` placeholders: values reach scripts only through the environment and stay inert wherever they stand.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Interpreter } from '../../src/shared/script-result';
import { resolvePlaceholders, variablesProblem } from '../../src/agent/runner/script-variables';
import { tempDir } from './agent-test-kit';
import { realRunner, runRequest } from './runner-test-kit';

const hasZsh = existsSync('/bin/zsh') || existsSync('/usr/bin/zsh');
const hasPython = existsSync('/usr/bin/python3');

/** Each value would run `touch <marker>` if it ever became script text. */
const injections = (marker: string) => [
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `; touch ${marker}`,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  `\\"; touch ${marker}; \\"`,
  `$'\\x3b' touch ${marker}`,
  `\n touch ${marker}\n`,
  `} ; touch ${marker} ; {`,
];

interface Context {
  name: string;
  script: string;
  expected: (value: string, interpreter: Interpreter) => string | null;
}

const contexts: Context[] = [
  { name: 'in double quotes', script: 'printf "%s" "{$V}"', expected: (value) => value },
  { name: 'in single quotes', script: "printf '%s' '{$V}'", expected: () => '${V}' },
  {
    name: 'bare',
    script: 'printf "%s|" {$V}',
    // bash splits the value into words and never runs them; zsh does not split at all.
    expected: (value, interpreter) => (interpreter === 'zsh' ? `${value}|` : value.split(/[ \t\n]+/).filter(Boolean).map((word) => `${word}|`).join('')),
  },
  { name: 'in a here-document', script: 'cat <<EOF\n{$V}\nEOF', expected: (value) => `${value}\n` },
  { name: 'in a command substitution', script: 'printf "%s" "$(printf "%s" "{$V}")"', expected: (value) => value.replace(/\n+$/, '') },
  { name: 'glued to other words', script: 'printf "%s" "a{$V}b{$V}c"', expected: (value) => `a${value}b${value}c` },
];

const shells: Interpreter[] = hasZsh ? ['bash', 'zsh'] : ['bash'];

describe.each(shells)('variables in %s scripts', (interpreter) => {
  it.each(contexts)('keep every injection value inert $name', async ({ script, expected }) => {
    const { runner } = await realRunner();
    const markers = await tempDir();
    for (const [i, value] of injections(join(markers, 'ran')).entries()) {
      const result = await runner.run(runRequest(script, { interpreter, variables: { V: value } }));
      expect(result.error, `value ${i}`).toBeNull();
      expect(result.stdout, `value ${i}: ${JSON.stringify(value)}`).toBe(expected(value, interpreter));
      expect(existsSync(join(markers, 'ran')), `value ${i} ran a command`).toBe(false);
    }
  });

  it('passes variables as environment variables of the same name', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('printf "%s|%s" "$GREETING" "{$GREETING}"', { interpreter, variables: { GREETING: "it's \"$HOME\"" } }));
    expect(result.stdout).toBe(`it's "$HOME"|it's "$HOME"`);
  });

  it('refuses a placeholder without a variable instead of running with an empty value', async () => {
    const { runner, tempRoot } = await realRunner();
    const result = await runner.run(runRequest(`touch ${join(tempRoot, 'ran')}\necho "{$MISSING}"`, { interpreter, variables: { OTHER: 'x' } }));
    expect(result).toMatchObject({ status: 'failed', error: 'the script uses the placeholder {$MISSING} but has no variable MISSING; add the variable or remove the placeholder' });
    expect(existsSync(join(tempRoot, 'ran'))).toBe(false);
  });

  it('lets a placeholder name the documented environment', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('printf "%s" "{$ATWORK_DEVICE_ID}"', { interpreter }));
    expect(result.stdout).toBe('device-1');
  });
});

describe('variables in other scripts', () => {
  it.skipIf(!hasPython)('reach python scripts through os.environ, with placeholders left alone', async () => {
    const { runner } = await realRunner();
    const markers = await tempDir();
    const values = injections(join(markers, 'ran'));
    const variables = Object.fromEntries(values.map((value, i) => [`V${i}`, value]));
    const result = await runner.run(runRequest(`import os, json\nprint(json.dumps([os.environ["V%d" % i] for i in range(${values.length})]))\nprint("{$V0}")`, { interpreter: 'python', variables }));
    const [json, literal] = result.stdout.trimEnd().split('\n');
    expect(JSON.parse(json!)).toEqual(values);
    expect(literal).toBe('{$V0}');
    expect(existsSync(join(markers, 'ran'))).toBe(false);
  });
});

describe('variablesProblem', () => {
  const table: { variables: Record<string, string>; problem: string | null }[] = [
    { variables: { PATH: 'x' }, problem: 'variable PATH is reserved and the script was not run; rename the variable' },
    { variables: { BASH_ENV: 'x' }, problem: 'variable BASH_ENV is reserved and the script was not run; rename the variable' },
    { variables: { LD_PRELOAD: 'x' }, problem: 'variable LD_PRELOAD is reserved and the script was not run; rename the variable' },
    { variables: { DYLD_INSERT_LIBRARIES: 'x' }, problem: 'variable DYLD_INSERT_LIBRARIES is reserved and the script was not run; rename the variable' },
    { variables: { PYTHONSTARTUP: 'x' }, problem: 'variable PYTHONSTARTUP is reserved and the script was not run; rename the variable' },
    { variables: { ATWORK_DEVICE_ID: 'x' }, problem: 'variable ATWORK_DEVICE_ID is reserved and the script was not run; rename the variable' },
    { variables: { 'BASH_FUNC_ls%%': 'x' }, problem: 'variable name "BASH_FUNC_ls%%" is not a valid name (letters, digits and _, not starting with a digit)' },
    { variables: { '1X': 'x' }, problem: 'variable name "1X" is not a valid name (letters, digits and _, not starting with a digit)' },
    { variables: { 'A=B': 'x' }, problem: 'variable name "A=B" is not a valid name (letters, digits and _, not starting with a digit)' },
    { variables: { NUL: 'a\0b' }, problem: 'variable NUL contains a NUL character, which an environment variable cannot hold' },
    { variables: { fine_Name2: '$(x)' }, problem: null },
  ];

  it.each(table)('$variables -> $problem', ({ variables, problem }) => {
    expect(variablesProblem(variables)).toBe(problem);
  });

  it('stops a reserved variable before the script runs', async () => {
    const { runner, tempRoot } = await realRunner();
    const result = await runner.run(runRequest(`touch ${join(tempRoot, 'ran')}`, { variables: { BASH_ENV: join(tempRoot, 'evil.sh') } }));
    expect(result).toMatchObject({ status: 'failed', error: 'variable BASH_ENV is reserved and the script was not run; rename the variable' });
    expect(existsSync(join(tempRoot, 'ran'))).toBe(false);
  });
});

describe('resolvePlaceholders', () => {
  it('rewrites only well-formed placeholders and keeps every other byte, valid UTF-8 or not', () => {
    const script = Buffer.concat([Buffer.from('é {$A}{$A} {$ A} {$1A} ${B} {$B'), Buffer.from([0xff, 0xfe, 0x80])]);
    const resolved = resolvePlaceholders(script, new Set(['A']));
    expect(resolved).toEqual({ script: Buffer.concat([Buffer.from('é ${A}${A} {$ A} {$1A} ${B} {$B'), Buffer.from([0xff, 0xfe, 0x80])]) });
  });
});
