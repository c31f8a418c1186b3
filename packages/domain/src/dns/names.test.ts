import { describe, expect, it } from 'vitest';
import { normalizeDomainName, normalizeOwnerName, normalizeTargetName } from './names.ts';
import { findDomainConflict, zoneApexes, zoneForName } from './zones.ts';

describe('normalizeDomainName', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM.', 'example.com'],
    ['  shop.example.co.uk ', 'shop.example.co.uk'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['münchen。de', 'xn--mnchen-3ya.de'],
    ['foo.github.io', 'foo.github.io'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDomainName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'required'],
    ['.', 'required'],
    ['com', 'public_suffix'],
    ['co.uk', 'public_suffix'],
    ['github.io', 'public_suffix'],
    ['example', 'public_suffix'],
    ['1.2.3.4', 'ip_address'],
    ['example.123', 'ip_address'],
    ['-bad.example.com', 'invalid_label'],
    ['bad-.example.com', 'invalid_label'],
    ['under_score.com', 'invalid_label'],
    ['a..b.com', 'invalid_label'],
    ['*.example.com', 'wildcard'],
    [`${'a'.repeat(64)}.com`, 'invalid_label'],
    [`${'abcdefghi.'.repeat(26)}com`, 'too_long'],
    ['exa mple.com', 'invalid_label'],
  ])('%j is refused with %s', (input, code) => {
    const result = normalizeDomainName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ path: ['name'], code });
  });
});

describe('normalizeOwnerName', () => {
  it.each([
    ['@', 'example.com'],
    ['example.com.', 'example.com'],
    ['WWW.example.com', 'www.example.com'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['*.example.com', '*.example.com'],
    ['café.example.com', 'xn--caf-dma.example.com'],
  ])('%s in example.com → %s', (input, expected) => {
    expect(normalizeOwnerName(input, 'example.com')).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['www', 'outside_zone'],
    ['mail.other.com', 'outside_zone'],
    ['notexample.com', 'outside_zone'],
    ['a.*.example.com', 'wildcard'],
  ])('%s in example.com is refused with %s', (input, code) => {
    const result = normalizeOwnerName(input, 'example.com');
    expect(result.ok ? null : result.errors[0]?.code).toBe(code);
  });
});

describe('normalizeTargetName', () => {
  it('accepts vendor DKIM targets with service labels and refuses single labels', () => {
    expect(normalizeTargetName('s1._domainkey.SendGrid.net.', [])).toEqual({
      ok: true,
      value: 's1._domainkey.sendgrid.net',
    });
    expect(normalizeTargetName('localhost', []).ok).toBe(false);
  });
});

describe('the zone rule', () => {
  it.each([
    [['example.com', 'shop.example.com', 'a.shop.example.com'], ['example.com']],
    [
      ['shop.example.com', 'example.org'],
      ['example.org', 'shop.example.com'],
    ],
    [
      ['shop.example.com', 'notshop.example.com'],
      ['notshop.example.com', 'shop.example.com'],
    ],
    [
      ['b.example.com', 'a.example.com', 'b.example.com'],
      ['a.example.com', 'b.example.com'],
    ],
  ])('apexes of %j are %j', (names, apexes) => {
    expect(zoneApexes(names)).toEqual(apexes);
  });

  it.each([
    ['shop.example.com', ['example.com', 'example.org'], 'example.com'],
    ['example.com', ['example.com'], 'example.com'],
    ['deep.shop.example.com', ['example.com', 'shop.example.com'], 'shop.example.com'],
    ['example.net', ['example.com'], null],
    ['badexample.com', ['example.com'], null],
  ])('zoneForName(%s, %j) = %s', (name, zones, expected) => {
    expect(zoneForName(name, zones)).toBe(expected);
  });

  it.each([
    ['shop.example.com', ['example.com'], 'example.com'],
    ['example.com', ['blog.example.com'], 'blog.example.com'],
    ['example.co.uk', ['other.co.uk'], null],
    ['a.github.io', ['b.github.io'], null],
  ])('findDomainConflict(%s, %j) = %s', (name, others, expected) => {
    expect(findDomainConflict(name, others)).toBe(expected);
  });
});
