import {
  customerIdParams,
  customerMailUsageSchema,
  type Mailbox,
  quantityToNumber,
} from '@hostplane/contracts';
import { findPlanById, mailboxQuotasOf } from '@hostplane/db';
import { quotaPercent, quotaWarning } from '@hostplane/domain';
import type { FastifyBaseLogger } from 'fastify';
import { findCustomer } from '../http/customers.ts';
import { answers } from '../http/responses.ts';
import type { MailUsageReader } from '../mail-usage.ts';
import type { ApiInstance } from '../types.ts';
import { scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

// Issue 17: quota usage, read live from Dovecot (doveadm HTTP API) when the API is given one
// (DOVEADM_API_URL + DOVEADM_API_KEY); without it, or when Dovecot cannot answer, usage is null.

async function readUsage(reader: MailUsageReader | null, addresses: string[], log: FastifyBaseLogger) {
  if (!reader) return new Map();
  try {
    return await reader.usage(addresses);
  } catch (err) {
    // The list still answers; its usage says "unknown" (null) and the log says why.
    log.warn({ err, component: 'mail-usage' }, 'mailbox usage not available');
    return new Map();
  }
}

/** The mailbox list's `decorate`: each item gains `usage` (null where Dovecot cannot say). */
export function mailboxUsageDecorator(deps: RouteDeps, log: FastifyBaseLogger) {
  return async (items: Mailbox[]): Promise<Mailbox[]> => {
    const usage = await readUsage(
      deps.mailUsage,
      items.map((m) => m.address),
      log,
    );
    return items.map((m) => {
      const u = usage.get(m.address);
      if (!u) return { ...m, usage: null };
      const percent = quotaPercent(u.bytes, m.quotaBytes);
      return { ...m, usage: { ...u, percent, warning: quotaWarning(u.bytes, m.quotaBytes) } };
    });
  };
}

export function mailUsageRoutes(app: ApiInstance, deps: RouteDeps): void {
  app.get(
    '/customers/:id/mail-usage',
    {
      config: scoped,
      schema: {
        tags: ['mail'],
        params: customerIdParams,
        response: answers({ 200: customerMailUsageSchema }, 404),
      },
    },
    async (req) => {
      const customer = await findCustomer(deps.db, req.params.id);
      const plan = await findPlanById(deps.db, customer.plan_id);
      const mailboxes = await mailboxQuotasOf(deps.db, customer.id);
      const usage = await readUsage(
        deps.mailUsage,
        mailboxes.map((m) => m.address),
        req.log,
      );
      let bytes = 0;
      let messages = 0;
      const unknown: string[] = [];
      for (const m of mailboxes) {
        const u = usage.get(m.address);
        if (!u) unknown.push(m.address);
        else {
          bytes += u.bytes;
          messages += u.messages;
        }
      }
      const planBytes = quantityToNumber(plan.limits.mailboxQuota);
      return {
        bytes,
        messages,
        allocatedBytes: mailboxes.reduce((sum, m) => sum + Number(m.quota_bytes), 0),
        planBytes,
        percent: quotaPercent(bytes, planBytes),
        warning: quotaWarning(bytes, planBytes),
        unknown,
      };
    },
  );
}
