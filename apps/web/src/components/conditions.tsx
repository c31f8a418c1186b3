'use client';

import type { Condition, Customer } from '@hostplane/contracts';
import { customerState } from '../lib/types.ts';
import { Badge, type Tone } from './ui.tsx';

const tones: Record<Condition['status'], Tone> = { True: 'ok', False: 'bad', Unknown: 'muted' };

/** One badge per condition (Kubernetes, DNS, Mail, Backup); the reason and message in its tooltip. */
export function ConditionBadges({ conditions }: { conditions: Condition[] }) {
  if (conditions.length === 0) return <span className="muted">no status yet</span>;
  return (
    <span className="badges">
      {conditions.map((c) => (
        <Badge key={c.type} tone={tones[c.status]} title={`${c.reason}: ${c.message}`}>
          {c.type}
        </Badge>
      ))}
    </span>
  );
}

export function ReadyBadge({ customer }: { customer: Customer }) {
  const state = customerState(customer);
  return <Badge tone={state.tone}>{state.label}</Badge>;
}

/** The failing conditions in words: which system and why. */
export function ConditionDetails({ conditions }: { conditions: Condition[] }) {
  const failing = conditions.filter((c) => c.status !== 'True');
  if (failing.length === 0) return null;
  return (
    <ul className="conditions">
      {failing.map((c) => (
        <li key={c.type}>
          <strong>{c.type}</strong> {c.status === 'False' ? 'failing' : 'unknown'} — {c.reason}
          {c.message ? `: ${c.message}` : ''}
          {c.lastError ? <span className="muted"> (last error: {c.lastError})</span> : null}
        </li>
      ))}
    </ul>
  );
}
