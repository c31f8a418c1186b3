import { describe, expect, it } from 'vitest';
import type { CustomerSnapshot, PlanLimits } from '../snapshot.ts';
import {
  countedPlanConflicts,
  describeLimitRefusal,
  describeOverrun,
  describeQuotaConflict,
  destinationsOverrun,
  planOverruns,
  snapshotUsage,
} from './limits.ts';

const limits: PlanLimits = {
  cpu: '2',
  memory: '4Gi',
  storage: '20Gi',
  sites: 2,
  domains: 1,
  mailboxes: 2,
  mailboxQuota: '1Gi',
  databases: 1,
  backupRetentionDays: 7,
};

describe('planOverruns', () => {
  it('is empty within the plan', () => {
    expect(planOverruns(limits, { sites: 2, domains: 1, mailboxQuotaBytes: 2 ** 30, aliases: 100 })).toEqual(
      [],
    );
  });

  it.each([
    ['sites', { sites: 3 }, [{ limit: 'sites', used: 3, allowed: 2 }]],
    ['databases', { databases: 2 }, [{ limit: 'databases', used: 2, allowed: 1 }]],
    ['default aliases (100)', { aliases: 101 }, [{ limit: 'aliases', used: 101, allowed: 100 }]],
    ['default rrsets (200)', { dnsRecords: 201 }, [{ limit: 'dnsRecords', used: 201, allowed: 200 }]],
    ['backups a day (4)', { backupsPerDay: 5 }, [{ limit: 'backupsPerDay', used: 5, allowed: 4 }]],
    ['restores a day (4)', { restoresPerDay: 5 }, [{ limit: 'restoresPerDay', used: 5, allowed: 4 }]],
    ['default cron jobs (10)', { cronJobs: 11 }, [{ limit: 'cronJobs', used: 11, allowed: 10 }]],
    [
      'mailbox quota in bytes',
      { mailboxQuotaBytes: 2 ** 30 + 1 },
      [{ limit: 'mailboxQuota', used: 2 ** 30 + 1, allowed: 2 ** 30 }],
    ],
  ] as const)('%s', (_name, usage, expected) => {
    expect(planOverruns(limits, usage)).toEqual(expected);
  });

  it('checks only the counters given, in one order (sites first, mailboxes before their quota)', () => {
    expect(
      planOverruns(limits, { mailboxQuotaBytes: 2 ** 31, mailboxes: 3, sites: 9 }).map((o) => o.limit),
    ).toEqual(['sites', 'mailboxes', 'mailboxQuota']);
  });

  it('uses the plan value over the default', () => {
    expect(planOverruns({ ...limits, aliases: 5 }, { aliases: 6 })).toEqual([
      { limit: 'aliases', used: 6, allowed: 5 },
    ]);
  });

  it('reports a mailbox quota that is not a quantity', () => {
    const overruns = planOverruns({ ...limits, mailboxQuota: 'lots' }, { mailboxQuotaBytes: 0 });
    expect(overruns).toEqual([{ limit: 'mailboxQuota', used: 0, allowed: null }]);
    expect(describeOverrun({ ...limits, mailboxQuota: 'lots' }, overruns[0]!)).toBe(
      'mailboxQuota: plan limit "lots" is not a quantity',
    );
  });
});

describe('words', () => {
  it('refuses a change naming the limit', () => {
    expect(describeLimitRefusal('small', limits, { limit: 'dnsRecords', used: 201, allowed: 200 })).toBe(
      'plan "small" allows 200 DNS rrsets (limit dnsRecords); this would make 201',
    );
    expect(
      describeLimitRefusal('small', limits, { limit: 'mailboxQuota', used: 2 ** 31, allowed: 2 ** 30 }),
    ).toBe('plan "small" allows 1Gi of mailbox quota in total (limit mailboxQuota)');
    expect(describeLimitRefusal('small', limits, { limit: 'cronJobs', used: 11, allowed: 10 })).toBe(
      'plan "small" allows 10 cron jobs (limit cronJobs); this would make 11',
    );
  });

  it('describes an overrun for the Customer condition', () => {
    expect(describeOverrun(limits, { limit: 'sites', used: 3, allowed: 2 })).toBe('sites: 3 of 2');
    expect(describeOverrun(limits, { limit: 'mailboxQuota', used: 1610612736, allowed: 1073741824 })).toBe(
      'mailboxQuota: 1610612736 bytes of 1073741824',
    );
  });

  it('describes a plan-change conflict in Mi for bytes', () => {
    expect(
      describeQuotaConflict('small', { resource: 'limits.memory', used: 1.5 * 2 ** 30, limit: 2 ** 30 }),
    ).toBe('1536Mi in use, plan "small" allows 1024Mi');
    expect(describeQuotaConflict('small', { resource: 'domains', used: 3, limit: 1 })).toBe(
      '3 in use, plan "small" allows 1',
    );
  });
});

describe('destinationsOverrun', () => {
  it('allows 20 by default', () => {
    expect(destinationsOverrun(limits, 20)).toBeNull();
    expect(destinationsOverrun(limits, 21)).toEqual({ limit: 'destinationsPerAlias', used: 21, allowed: 20 });
  });
});

describe('snapshotUsage and countedPlanConflicts', () => {
  const snapshot = {
    sites: [{ database: true, cronJobs: [{}, {}] }, { database: false }],
    domains: [{ records: [{}, {}] }, { records: [{}] }],
    mailboxes: [{ quotaBytes: 2 ** 29 }, { quotaBytes: 2 ** 30 }],
    aliases: [{}],
    databases: [{ name: 'shop' }],
  } as unknown as CustomerSnapshot;

  it('counts the rows', () => {
    expect(snapshotUsage(snapshot)).toEqual({
      sites: 2,
      // A site's own database and one on the customer's MariaDB: what the API counts (plan-usage.ts).
      databases: 2,
      domains: 2,
      mailboxes: 2,
      mailboxQuotaBytes: 1.5 * 2 ** 30,
      aliases: 1,
      dnsRecords: 3,
      cronJobs: 2,
    });
  });

  it('names each counted resource a plan change would not fit', () => {
    expect(countedPlanConflicts(limits, snapshotUsage(snapshot))).toEqual([
      { resource: 'domains', used: 2, limit: 1 },
      { resource: 'mailboxQuota', used: 1.5 * 2 ** 30, limit: 2 ** 30 },
    ]);
    expect(countedPlanConflicts({ ...limits, cronJobs: 1 }, snapshotUsage(snapshot))).toContainEqual({
      resource: 'cronJobs',
      used: 2,
      limit: 1,
    });
  });
});
