import { describe, expect, it } from 'vitest';
import {
  centiscore,
  combineRecipientPolicies,
  DEFAULT_SPAM_SETTINGS,
  junkFrom,
  recipientPolicy,
  renderSpamSieve,
} from './spam.ts';

describe('renderSpamSieve', () => {
  it('files mail from the default junk score on into Junk when a mailbox has no settings', () => {
    const script = renderSpamSieve(null);
    expect(script).toContain(
      'if header :value "ge" :comparator "i;ascii-numeric" "X-Hostplane-Spam-Centiscore" "600" {',
    );
    expect(script).toContain('  fileinto "Junk";\n  stop;');
    expect(script).toBe(renderSpamSieve(DEFAULT_SPAM_SETTINGS));
  });

  it('lets allowed senders through, discards blocked ones, by address and by domain', () => {
    const script = renderSpamSieve({
      junkScore: 4.5,
      rejectScore: null,
      allow: ['Boss@Example.com', '@friends.example'],
      block: ['@spam.example'],
    });
    expect(script).toContain(
      'if anyof(address :all :is "from" ["boss@example.com"], envelope :all :is "from" ["boss@example.com"], address :domain :is "from" ["friends.example"], envelope :domain :is "from" ["friends.example"]) {',
    );
    expect(script).toContain(
      'elsif anyof(address :domain :is "from" ["spam.example"], envelope :domain :is "from" ["spam.example"]) {\n  discard;\n  stop;\n}',
    );
    expect(script).toContain(
      'elsif header :value "ge" :comparator "i;ascii-numeric" "X-Hostplane-Spam-Centiscore" "450" {',
    );
  });

  it('is deterministic whatever the order of the lists', () => {
    const a = renderSpamSieve({
      junkScore: 6,
      rejectScore: 15,
      allow: ['b@x.example', 'a@x.example'],
      block: [],
    });
    const b = renderSpamSieve({
      junkScore: 6,
      rejectScore: 15,
      allow: ['a@x.example', 'b@x.example', 'A@x.example'],
      block: [],
    });
    expect(a).toBe(b);
  });
});

describe('thresholds', () => {
  it.each([
    [{ ...DEFAULT_SPAM_SETTINGS }, 6],
    [{ ...DEFAULT_SPAM_SETTINGS, junkScore: 20, rejectScore: 12 }, 12],
    [{ ...DEFAULT_SPAM_SETTINGS, junkScore: 20, rejectScore: null }, 20],
  ])('junkFrom(%j) = %d', (s, expected) => {
    expect(junkFrom(s)).toBe(expected);
  });

  it.each([
    [15, 1500],
    [6.004, 600],
    [-3, 0],
  ])('centiscore(%d) = %d', (score, expected) => {
    expect(centiscore(score)).toBe(expected);
  });
});

describe('combineRecipientPolicies', () => {
  it('refuses only what every destination refuses', () => {
    const strict = recipientPolicy({
      junkScore: 3,
      rejectScore: 8,
      allow: ['a@x.example'],
      block: ['@b.example', '@c.example'],
    });
    const lax = recipientPolicy({ junkScore: 6, rejectScore: 30, allow: [], block: ['@c.example'] });
    expect(combineRecipientPolicies([strict, lax])).toEqual({
      rejectScore: 30,
      allow: ['a@x.example'],
      block: ['@c.example'],
    });
    expect(
      combineRecipientPolicies([strict, recipientPolicy({ ...DEFAULT_SPAM_SETTINGS, rejectScore: null })])
        .rejectScore,
    ).toBeNull();
  });
});
