import {
  autoresponderBody,
  customSieveBody,
  forwardingBody,
  mailboxParams,
  mailboxSchema,
  spamBody,
} from '@hostplane/contracts';
import { setMailboxFilter } from '@hostplane/db';
import {
  type Autoresponder,
  type Forwarding,
  normaliseSpamSettings,
  type SpamSettings,
} from '@hostplane/domain';
import type { ZodType } from 'zod';
import { UnprocessableError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { presentMailbox } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import {
  changeForCustomer,
  customerTarget,
  deleteForCustomer,
  findOwned,
  scoped,
} from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

// Issue 17: a mailbox's autoresponder, forwarding and own Sieve script. Each is a column of the mailbox
// row; the Mail target renders them into Sieve scripts in the mail DB (desired → plan → apply).

const tags = ['mail'];
type Column = 'autoresponder' | 'forwarding' | 'custom_sieve' | 'spam';
type Value = {
  autoresponder: Autoresponder;
  forwarding: Forwarding;
  custom_sieve: string;
  spam: SpamSettings;
};

interface FilterRoute<C extends Column, B> {
  path: string;
  column: C;
  action: string;
  body: ZodType<B>;
  /** The value stored from a checked body; throws UnprocessableError for what the schema cannot see. */
  toValue: (body: B, address: string) => Promise<Value[C]> | Value[C];
}

function registerFilter<C extends Column, B>(app: ApiInstance, deps: RouteDeps, route: FilterRoute<C, B>) {
  const { db } = deps;
  const url = `/customers/:id/mailboxes/:address/${route.path}`;
  app.put(
    url,
    {
      config: scoped,
      schema: {
        tags,
        params: mailboxParams,
        body: route.body,
        response: answers({ 200: mailboxSchema }, 403, 404, 422),
      },
    },
    async (req, reply) => {
      // Checked before the transaction: sievec must not run while the customer row is locked.
      const value = await route.toValue(req.body as B, req.params.address);
      const stored = route.column === 'custom_sieve' ? (value as string) : JSON.stringify(value);
      return changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = await findOwned(trx, 'mailboxes', customer.id, {
          column: 'address',
          value: req.params.address,
          what: 'mailbox',
        });
        const row = await setMailboxFilter(trx, before.id, route.column, stored);
        return {
          body: presentMailbox(row),
          action: `mailbox.${route.action}.set`,
          target: customerTarget(customer.id, 'mailbox', row.address),
          before: presentMailbox(before),
          after: presentMailbox(row),
        };
      });
    },
  );

  app.delete(
    url,
    {
      config: scoped,
      schema: { tags, params: mailboxParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const before = await findOwned(trx, 'mailboxes', customer.id, {
          column: 'address',
          value: req.params.address,
          what: 'mailbox',
        });
        await setMailboxFilter(trx, before.id, route.column, null);
        return {
          action: `mailbox.${route.action}.delete`,
          target: customerTarget(customer.id, 'mailbox', before.address),
          before: presentMailbox(before),
        };
      }),
  );
}

export function mailFilterRoutes(app: ApiInstance, deps: RouteDeps): void {
  registerFilter(app, deps, {
    path: 'autoresponder',
    column: 'autoresponder',
    action: 'autoresponder',
    body: autoresponderBody,
    toValue: (b) => ({
      subject: b.subject,
      body: b.body,
      startsAt: b.startsAt ? new Date(b.startsAt).toISOString() : null,
      endsAt: b.endsAt ? new Date(b.endsAt).toISOString() : null,
      intervalDays: b.intervalDays,
    }),
  });
  registerFilter(app, deps, {
    path: 'forwarding',
    column: 'forwarding',
    action: 'forwarding',
    body: forwardingBody,
    toValue: (b, address) => {
      const destinations = [...new Set(b.destinations)].sort();
      const self = destinations.indexOf(address);
      if (self >= 0) {
        throw new UnprocessableError('a mailbox cannot forward to itself', [
          {
            path: `destinations.${b.destinations.indexOf(address)}`,
            in: 'body',
            message: 'is the mailbox itself',
          },
        ]);
      }
      return { destinations, keepCopy: b.keepCopy };
    },
  });
  // Spam settings (issue 17): DELETE returns the mailbox to the defaults.
  registerFilter(app, deps, {
    path: 'spam',
    column: 'spam',
    action: 'spam',
    body: spamBody,
    toValue: (b) => normaliseSpamSettings(b),
  });
  registerFilter(app, deps, {
    path: 'sieve',
    column: 'custom_sieve',
    action: 'sieve',
    body: customSieveBody,
    toValue: async (b) => {
      const problem = await deps.sieve.check(b.script);
      if (problem !== null) {
        throw new UnprocessableError('the Sieve script does not compile', [
          { path: 'script', in: 'body', message: problem },
        ]);
      }
      return b.script;
    },
  });
}
