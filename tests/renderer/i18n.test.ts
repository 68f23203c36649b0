// The message catalogs: English and German have the same keys and arguments, every message formats, the locale follows
// the system, and no text in the UI's TSX is left out of the catalogs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createIntl } from 'react-intl';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { de } from '../../src/renderer/i18n/messages.de';
import { en } from '../../src/renderer/i18n/messages.en';
import { CATALOGS, pickLocale } from '../../src/renderer/i18n/locale';

const RENDERER = path.resolve(import.meta.dirname, '../../src/renderer');

/** The ICU argument names and tag names a message uses. */
function placeholders(message: string): string[] {
  const names = [...message.matchAll(/\{\s*(\w+)\s*[,}]/g), ...message.matchAll(/<(\w+)>/g)].map((match) => match[1] ?? '');
  return [...new Set(names)].sort();
}

describe('message catalogs', () => {
  it('German has exactly the English keys, each with the same arguments', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [id, message] of Object.entries(en)) expect([id, placeholders(de[id as keyof typeof en])]).toEqual([id, placeholders(message)]);
  });

  it.each(Object.entries(CATALOGS))('every %s message formats', (locale, messages) => {
    const errors: string[] = [];
    const intl = createIntl({ locale, messages, onError: (error) => errors.push(error.message) });
    for (const [id, message] of Object.entries(messages)) {
      const values = Object.fromEntries(placeholders(message).map((name) => [name, name === 'big' ? (chunks: string[]) => chunks.join('') : 2]));
      expect(intl.formatMessage({ id }, values)).not.toBe(id);
    }
    expect(errors).toEqual([]);
  });

  it('writes plurals and numbers for its locale', () => {
    const english = createIntl({ locale: 'en', messages: en });
    const german = createIntl({ locale: 'de-DE', messages: de });
    expect(english.formatMessage({ id: 'reviews.count' }, { count: 1 })).toBe('1 review');
    expect(english.formatMessage({ id: 'reviews.count' }, { count: 1200 })).toBe('1,200 reviews');
    expect(german.formatMessage({ id: 'reviews.count' }, { count: 1 })).toBe('1 Rezension');
    expect(german.formatMessage({ id: 'reviews.count' }, { count: 1200 })).toBe('1.200 Rezensionen');
  });
});

describe('pickLocale', () => {
  it.each([
    ['de', 'de', de],
    ['de-CH', 'de-CH', de],
    ['DE-at', 'DE-at', de],
    ['en-GB', 'en-GB', en],
    ['fr-FR', 'en', en],
    ['', 'en', en],
    [undefined, 'en', en],
  ])('picks %s → %s', (language, locale, messages) => {
    expect(pickLocale(language)).toEqual({ locale, messages });
  });
});

/** Every .tsx file of the renderer. */
function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(full);
    return entry.name.endsWith('.tsx') ? [full] : [];
  });
}

/** Attributes whose text a person reads or hears. */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'aria-valuetext', 'alt', 'title', 'placeholder', 'label']);

/** JSX text with a letter in it, and string literals given to text attributes: what should have come from a catalog. */
function untranslated(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) found.push(node.text.trim());
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText()) && node.initializer !== undefined) {
      const value = ts.isJsxExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (value !== undefined && (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) && /\p{L}/u.test(value.text)) found.push(`${node.name.getText()}="${value.text}"`);
    }
    if (ts.isJsxExpression(node) && node.expression !== undefined && ts.isStringLiteral(node.expression) && /\p{L}/u.test(node.expression.text) && ts.isJsxElement(node.parent)) {
      found.push(`{'${node.expression.text}'}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map((text) => `${path.relative(RENDERER, file)}: ${text}`);
}

describe('the UI text', () => {
  it('comes from the catalogs: no text literal in any TSX file of the renderer', () => {
    const files = tsxFiles(RENDERER);
    expect(files.length).toBeGreaterThan(15);
    expect(files.flatMap(untranslated)).toEqual([]);
  });
});
