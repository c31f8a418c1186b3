import { describe, expect, it } from 'vitest';
import { NO_MAILBOX_FILTERS, renderMailboxSieve, sieveString, sieveUtcInstant } from './sieve.ts';

const responder = {
  subject: 'Out of office',
  body: 'Back on Monday.\nRegards',
  startsAt: null,
  endsAt: null,
  intervalDays: 7,
};

describe('renderMailboxSieve', () => {
  it('renders nothing for a mailbox without rules', () => {
    expect(renderMailboxSieve(NO_MAILBOX_FILTERS)).toBeNull();
    expect(
      renderMailboxSieve({ ...NO_MAILBOX_FILTERS, forwarding: { destinations: [], keepCopy: true } }),
    ).toBeNull();
  });

  it('renders an autoresponder as vacation with its period, answering the aliases too', () => {
    const script = renderMailboxSieve({ ...NO_MAILBOX_FILTERS, autoresponder: responder }, [
      'team@a.test',
      'b@a.test',
    ]);
    expect(script).toBe(
      [
        '# Hostplane: managed by the panel; edits here are replaced.',
        'require ["vacation"];',
        '# autoresponder',
        'vacation :days 7 :subject "Out of office" :addresses ["b@a.test", "team@a.test"] "Back on Monday.\r\nRegards";',
        '',
      ].join('\n'),
    );
  });

  it('limits the autoresponder to its dates, compared in UTC', () => {
    const script = renderMailboxSieve({
      ...NO_MAILBOX_FILTERS,
      autoresponder: { ...responder, startsAt: '2026-12-01T08:00:00+01:00', endsAt: '2026-12-24T00:00:00Z' },
    });
    expect(script).toContain('require ["date", "relational", "vacation"];');
    expect(script).toContain(
      'if allof(currentdate :zone "+0000" :value "ge" "iso8601" "2026-12-01T07:00:00Z", currentdate :zone "+0000" :value "lt" "iso8601" "2026-12-24T00:00:00Z") {',
    );
  });

  it('forwards with a copy (redirect :copy) or without (redirect cancels the implicit keep)', () => {
    const withCopy = renderMailboxSieve({
      ...NO_MAILBOX_FILTERS,
      forwarding: { destinations: ['Z@b.test', 'a@b.test', 'a@b.test'], keepCopy: true },
    });
    expect(withCopy).toContain('require ["copy"];');
    expect(withCopy).toContain('redirect :copy "a@b.test";\nredirect :copy "z@b.test";');
    const without = renderMailboxSieve({
      ...NO_MAILBOX_FILTERS,
      forwarding: { destinations: ['a@b.test'], keepCopy: false },
    });
    expect(without).not.toContain('require');
    expect(without).toContain('redirect "a@b.test";');
  });

  it('is deterministic', () => {
    const filters = {
      ...NO_MAILBOX_FILTERS,
      autoresponder: responder,
      forwarding: { destinations: ['x@y.test'], keepCopy: true },
    };
    expect(renderMailboxSieve(filters)).toBe(renderMailboxSieve(structuredClone(filters)));
  });
});

describe('sieveString', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['$' + '{var}', '"$' + '{var}"'],
  ])('%s', (input, quoted) => expect(sieveString(input)).toBe(quoted));
});

describe('sieveUtcInstant', () => {
  it('normalises to UTC seconds', () => {
    expect(sieveUtcInstant('2026-06-01T12:30:45.123+02:00')).toBe('2026-06-01T10:30:45Z');
    expect(() => sieveUtcInstant('tomorrow')).toThrow();
  });
});
