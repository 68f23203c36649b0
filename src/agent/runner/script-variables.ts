// Script variables (DESIGN.md §4): a value reaches the script only as an environment variable; `{$name}` in a shell script refers to it.

/** What a variable name must look like; the same rule as the ticket's. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Names a variable may not take: the base environment, and names that make a shell, the dynamic linker or Python run
 * other code before the script starts.
 */
const RESERVED_NAMES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TMPDIR', 'SHELL', 'IFS', 'ENV', 'BASH_ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4',
  'ZDOTDIR', 'CDPATH', 'GLOBIGNORE', 'PWD', 'OLDPWD', 'SHLVL',
]);
const RESERVED_PREFIXES = ['ATWORK_', 'DYLD_', 'LD_', 'PYTHON', 'BASH_FUNC_'];

/** `{$name}`, matched on the raw bytes read as latin1 so that any script encoding passes through unchanged. */
const PLACEHOLDER = /\{\$([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Why these variables cannot be given to a script, or null when they can. */
export function variablesProblem(variables: Readonly<Record<string, string>>): string | null {
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) return `variable name ${JSON.stringify(name)} is not a valid name (letters, digits and _, not starting with a digit)`;
    if (RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      return `variable ${name} is reserved and the script was not run; rename the variable`;
    }
    // The environment is a list of C strings: a NUL would cut the value short without anyone noticing.
    if (value.includes('\0')) return `variable ${name} contains a NUL character, which an environment variable cannot hold`;
  }
  return null;
}

/**
 * Turns each `{$name}` of a shell script into `${name}`, a reference to the environment variable of that name.
 *
 * The value is never spliced into the script text, so the shell parses the script exactly as the admin wrote it: in
 * double quotes the script sees the exact value, bare it is split into words but never run, in single quotes the
 * placeholder stays literal text. One caution remains, as with any shell variable: bash and zsh evaluate a value used
 * as a number (`$(( ))`, `(( ))`, `[[ -eq ]]`, an array index) as an arithmetic expression, which may contain `$( )`;
 * a script must check that such a value is a number first.
 *
 * A placeholder naming no variable of `available` is an error, so a typo never turns silently into an empty value.
 */
export function resolvePlaceholders(script: Buffer, available: ReadonlySet<string>): { script: Buffer } | { error: string } {
  const text = script.toString('latin1');
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!available.has(name)) return { error: `the script uses the placeholder {$${name}} but has no variable ${name}; add the variable or remove the placeholder` };
  }
  return { script: Buffer.from(text.replace(PLACEHOLDER, '$${$1}'), 'latin1') };
}
