import { describe, expect, it } from 'vitest';
import { canonicalContent, withSoaSerial } from './content.ts';
import { parseTxtStrings, txtContentFromText, txtTextFromContent } from './txt.ts';

describe('canonicalContent', () => {
  it.each([
    ['A', ' 192.0.2.1 ', '192.0.2.1'],
    ['AAAA', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['AAAA', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['CNAME', 'Target.Example.NET', 'target.example.net.'],
    ['CNAME', 'target.example.net.', 'target.example.net.'],
    ['NS', 'ns1.other.net', 'ns1.other.net.'],
    ['MX', '10   Mail.Example.com', '10 mail.example.com.'],
    ['MX', '0 .', '0 .'],
    ['SRV', '0 5 5060 sip.example.com', '0 5 5060 sip.example.com.'],
    ['CAA', '0 ISSUE letsencrypt.org', '0 issue "letsencrypt.org"'],
    ['CAA', '128 iodef "mailto:sec@example.com"', '128 iodef "mailto:sec@example.com"'],
    ['TXT', 'v=spf1 mx -all', '"v=spf1 mx -all"'],
    ['TXT', '"v=spf1 mx -all"', '"v=spf1 mx -all"'],
    ['TXT', '"a" "b"', '"a" "b"'],
    ['TXT', 'say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['TXT', 'é', '"\\195\\169"'],
    ['TXT', '"\\195\\169"', '"\\195\\169"'],
    ['TXT', '', '""'],
    [
      'SOA',
      'NS1.x.net. Hostmaster.x.net. 2024010101 10800 3600 604800 3600',
      'ns1.x.net. hostmaster.x.net. 2024010101 10800 3600 604800 3600',
    ],
  ])('%s %j → %j', (type, input, expected) => {
    expect(canonicalContent(type, input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['A', '192.0.2.256'],
    ['A', '01.2.3.4'],
    ['A', '2001:db8::1'],
    ['AAAA', '192.0.2.1'],
    ['AAAA', 'fe80::1%eth0'],
    ['CNAME', 'two names.example'],
    ['CNAME', 'localhost'],
    ['MX', 'mail.example.com'],
    ['MX', '70000 mail.example.com'],
    ['SRV', '0 5 mail.example.com'],
    ['SRV', '0 5 70000 sip.example.com'],
    ['CAA', '256 issue "x"'],
    ['CAA', '0 issue "a" "b"'],
    ['TXT', '"unterminated'],
    ['SOA', 'ns1.x.net. hostmaster.x.net. 1 2 3'],
  ])('%s %j is invalid', (type, input) => {
    expect(canonicalContent(type, input).ok).toBe(false);
  });

  it('sets the SOA serial', () => {
    expect(withSoaSerial('ns1.x. h.x. 0 1 2 3 4', 2024)).toBe('ns1.x. h.x. 2024 1 2 3 4');
  });
});

describe('TXT splitting', () => {
  it.each([
    ['600 ASCII bytes', 'a'.repeat(600), [255, 255, 90]],
    ['exactly 255', 'b'.repeat(255), [255]],
    ['256', 'c'.repeat(256), [255, 1]],
    ['multi-byte UTF-8 over a boundary', `${'d'.repeat(254)}éé`, [255, 3]],
    ['empty', '', [0]],
  ])('%s splits into strings of %j bytes and joins back exactly', (_label, text, sizes) => {
    const content = txtContentFromText(text);
    expect(parseTxtStrings(content)?.map((s) => s.length)).toEqual(sizes);
    expect(txtTextFromContent(content)).toBe(text);
  });

  it('re-splits an over-long quoted string', () => {
    const content = canonicalContent('TXT', `"${'x'.repeat(300)}"`);
    expect(content.ok && parseTxtStrings(content.value)?.map((s) => s.length)).toEqual([255, 45]);
  });
});
