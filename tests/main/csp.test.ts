// The CSP of the app's scheme as data: the exact policy before and after enrollment, and server URLs that must not widen it.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, serverImageSource } from '../../src/shared/content-security-policy';

/** The policy as a map of directive -> sources, so each directive is checked on its own. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(policy.split('; ').map((directive) => {
    const [name = '', ...sources] = directive.split(' ');
    return [name, sources];
  }));
}

describe('contentSecurityPolicy', () => {
  it('before enrollment: the app only, and no inline script or style', () => {
    expect(contentSecurityPolicy(null)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; " +
        "frame-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('after enrollment: images also from the enrolled server, nothing else changes', () => {
    const before = directives(contentSecurityPolicy(null));
    const after = directives(contentSecurityPolicy('https://mdm.example.com:8443'));
    expect(after['img-src']).toEqual(["'self'", 'https://mdm.example.com:8443']);
    expect({ ...after, 'img-src': before['img-src'] }).toEqual(before);
  });

  it.each([null, 'https://mdm.example.com', 'http://127.0.0.1:4000'])('never allows inline code, eval or other origins (server %s)', (origin) => {
    const policy = contentSecurityPolicy(origin);
    expect(policy).not.toMatch(/unsafe-|data:|blob:|\*|https?:(?!\/\/(mdm\.example\.com|127\.0\.0\.1:4000))/);
    expect(directives(policy)['script-src']).toEqual(["'self'"]);
    expect(directives(policy)['connect-src']).toEqual(["'self'"]);
  });

  it.each(['https://a;script-src *', "'unsafe-inline'", 'https://example.com/path', '*', ''])('refuses to write %j as a source', (origin) => {
    expect(() => contentSecurityPolicy(origin)).toThrow('Not an origin a CSP may name');
  });
});

describe('serverImageSource', () => {
  it.each([
    [null, null],
    ['https://mdm.example.com', 'https://mdm.example.com'],
    ['https://mdm.example.com/', 'https://mdm.example.com'],
    ['https://MDM.Example.com:443/api/device/v1?x=1#y', 'https://mdm.example.com'],
    ['https://mdm.example.com:8443/', 'https://mdm.example.com:8443'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://[::1]:4000/', 'http://[::1]:4000'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example'],
    ['https://user:pass@mdm.example.com/', 'https://mdm.example.com'],
    // A host the URL parser lets through but that would end the directive or add a source.
    ['https://a;script-src *.evil/', null],
    ["https://a'unsafe-inline'/", null],
    ['https://a,b/', null],
    ['https://a*b/', null],
    // Not a web origin at all.
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['data:image/png;base64,AAAA', null],
    ['atwork-app://app/', null],
    ['ftp://mdm.example.com/', null],
    ['not a url', null],
    ['', null],
  ])('%s -> %s', (serverUrl, expected) => {
    expect(serverImageSource(serverUrl)).toBe(expected);
  });

  it('gives contentSecurityPolicy only what it can write', () => {
    for (const url of ['https://mdm.example.com:8443/x', 'http://[::1]:4000', 'https://a;b/', null]) {
      expect(() => contentSecurityPolicy(serverImageSource(url))).not.toThrow();
    }
  });
});
