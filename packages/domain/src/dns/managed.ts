import { isNameWithin } from './names.ts';

// Which rrsets of a zone belong to the platform and are read-only for the customer. The record
// editor (validateRrset) refuses them, the desired-state builder ignores customer rows there, and
// the API's listing marks them: one function so the three always agree.

export interface ManagedScope {
  /** The zone apex. */
  zone: string;
  /** Hosted domains in this zone with mail on: their mail records are the platform's. */
  mailDomains: readonly string[];
  /** Hosted domains in this zone with webmail on: `webmail.{domain}` is the platform's (issue 17). */
  webmailDomains?: readonly string[];
}

/** Mail names where the platform owns every type (a CNAME or other data there would clash). */
function mailOwnedName(name: string, domain: string): boolean {
  const fixed = ['_dmarc', '_submission._tcp', '_imaps._tcp', 'autoconfig', 'autodiscover'];
  return fixed.some((label) => name === `${label}.${domain}`) || isNameWithin(name, `_domainkey.${domain}`);
}

/** Why (name, type) is read-only for the customer, or null when the customer may edit it. */
export function managedReason(name: string, type: string, scope: ManagedScope): string | null {
  if (type === 'SOA') return 'the SOA is managed by the platform';
  if (name === scope.zone && type === 'NS') return 'the apex NS records are the platform’s name servers';
  if (name === scope.zone && type === 'CAA') return 'the apex CAA names the platform’s certificate issuer';
  for (const domain of scope.mailDomains) {
    if (name === domain && type === 'MX') return `MX of ${domain} is managed while mail is on`;
    if (mailOwnedName(name, domain)) return `${name} is a mail record managed while mail is on for ${domain}`;
  }
  for (const domain of scope.webmailDomains ?? []) {
    if (name === `webmail.${domain}`) return `${name} points at the platform's webmail while webmail is on`;
  }
  return null;
}

/** True when `name` carries platform mail data (MX, SPF) of a mail domain: a CNAME there would clash. */
export function isMailDomainName(name: string, scope: ManagedScope): boolean {
  return scope.mailDomains.includes(name);
}

export function isSpfText(text: string): boolean {
  return /^v=spf1(\s|$)/i.test(text);
}
