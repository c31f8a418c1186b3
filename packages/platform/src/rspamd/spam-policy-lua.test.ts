import { SPAM_SCORE_HEADER } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { identityEntrySchema, rspamdSettingsSchema } from './settings.ts';
import { renderSpamPolicyLua } from './spam-policy-lua.ts';

const settings = rspamdSettingsSchema.parse({
  target: 'local',
  listen: '127.0.0.1',
  ports: { milter: 21332, normal: 21333, controller: 21334 },
  redis: { host: '127.0.0.1', port: 26379 },
  dkim: { keysDir: '/s/dkim', selectorMap: '/s/dkim/selectors.map' },
  userRateLimit: { perHour: 100, burst: 10, limitsMap: '/s/limits.map' },
  identityMap: '/s/identities.map',
});

describe('the spam policy', () => {
  it('defaults to Rspamd’s reject score and stamps the score header', () => {
    const lua = renderSpamPolicyLua(settings).join('\n');
    expect(lua).toContain('local DEFAULT_REJECT_SCORE = 15');
    expect(lua).toContain(`local SPAM_SCORE_HEADER = '${SPAM_SCORE_HEADER}'`);
    // The GTUBE path runs before Rspamd parses the message and skips every other rule.
    expect(lua).toContain("type = 'connfilter',");
    expect(lua).toContain("type = 'idempotent',");
  });

  it.each([
    [{ key: 'spam:al@b.example', value: '15' }, true],
    [{ key: 'spam:al@b.example', value: '7.25' }, true],
    [{ key: 'spam:@b.example', value: 'off' }, true],
    [{ key: 'spam-allow:@friends.example/al@b.example', value: '1' }, true],
    [{ key: 'spam-block:x@bad.example/@b.example', value: '1' }, true],
    [{ key: 'spam:al@b.example', value: 'never' }, false],
    [{ key: 'login:al@b.example', value: 'off' }, false],
    [{ key: 'spam-allow:a b@x.example/al@b.example', value: '1' }, false],
  ])('identity line %j valid: %s', (entry, valid) => {
    expect(identityEntrySchema.safeParse(entry).success).toBe(valid);
  });
});
