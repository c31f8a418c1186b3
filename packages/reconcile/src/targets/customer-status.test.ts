import type { CustomerSnapshot, MailboxRow, SiteRow } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { evaluateCustomerStatus, quantityBytes } from './customer-status.ts';

function site(name: string, database = false): SiteRow {
  return {
    name,
    template: 'static',
    image: null,
    port: null,
    domains: [],
    www: false,
    replicas: 1,
    database,
    databasePassword: null,
  };
}
function mailbox(address: string, quotaBytes: number): MailboxRow {
  return { id: 1, address, passwordHash: '{ARGON2ID}x', quotaBytes, enabled: true, sendLimitPerHour: 100 };
}
function snapshot(overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return {
    id: 1001,
    name: 'Acme',
    email: 'ops@acme.test',
    generation: 3,
    suspended: false,
    deleting: false,
    plan: {
      id: 1,
      name: 'small',
      limits: {
        cpu: '2',
        memory: '4Gi',
        storage: '20Gi',
        sites: 2,
        domains: 1,
        mailboxes: 2,
        mailboxQuota: '1Gi',
        databases: 1,
        backupRetentionDays: 7,
      },
    },
    sites: [],
    domains: [],
    mailboxes: [],
    aliases: [],
    ...overrides,
  };
}

describe('evaluateCustomerStatus', () => {
  it('is Ready within the plan', () => {
    expect(evaluateCustomerStatus(snapshot({ sites: [site('a'), site('b', true)] }))).toEqual({
      status: 'True',
      reason: 'Ready',
      message: 'within plan "small"',
      changes: 0,
    });
  });

  it('is OverPlan naming every exceeded limit', () => {
    const outcome = evaluateCustomerStatus(
      snapshot({
        sites: [site('a', true), site('b', true), site('c')],
        mailboxes: [mailbox('a@acme.test', 2 ** 29), mailbox('b@acme.test', 2 ** 30)],
      }),
    );
    expect(outcome.status).toBe('False');
    expect(outcome.reason).toBe('OverPlan');
    expect(outcome.message).toBe(
      'exceeds plan "small": sites: 3 of 2; databases: 2 of 1; mailboxQuota: 1610612736 bytes of 1073741824',
    );
  });

  it('reports Suspended for a suspended customer within its plan', () => {
    expect(evaluateCustomerStatus(snapshot({ suspended: true })).reason).toBe('Suspended');
  });

  it('reports Deleted while deleting, whatever the rows', () => {
    expect(
      evaluateCustomerStatus(snapshot({ deleting: true, sites: [site('a'), site('b'), site('c')] })),
    ).toMatchObject({
      status: 'True',
      reason: 'Deleted',
    });
  });
});

describe('quantityBytes', () => {
  it.each([
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['10G', 1e10],
    ['1500', 1500],
    ['1.5Ki', 1536],
    ['abc', null],
    ['1Xi', null],
  ])('%s → %s', (q, bytes) => {
    expect(quantityBytes(q)).toBe(bytes);
  });
});
