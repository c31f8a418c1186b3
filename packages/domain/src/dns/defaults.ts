import type { DomainRow } from '../snapshot.ts';
import type { DnsPlatformConfig } from './config.ts';
import { txtContentFromText } from './txt.ts';
import type { PlatformRrset } from './types.ts';

// The platform's default rrsets of one hosted domain. `managed` rrsets are read-only for the
// customer (SOA, apex NS, CAA; with mail on: MX, DMARC, DKIM, SRV, autoconfig/autodiscover; the SPF
// value inside the TXT rrset); the A/AAAA defaults are suggestions a customer may replace.

/** SOA RNAME in DNS form: `hostmaster@example.net` → `hostmaster.example.net.` (dots in the local part escaped). */
export function soaRname(contact: string): string {
  const at = contact.lastIndexOf('@');
  if (at < 0) return contact.endsWith('.') ? contact.toLowerCase() : `${contact.toLowerCase()}.`;
  const local = contact.slice(0, at).replaceAll('.', '\\.');
  return `${local}.${contact.slice(at + 1).toLowerCase()}.`;
}

/** SOA content with serial 0: PowerDNS owns the serial (SOA-EDIT-API), the planner ignores it. */
export function soaContent(config: DnsPlatformConfig): string {
  const { refresh, retry, expire, minimum } = config.soa;
  return `${config.nameservers[0]}. ${soaRname(config.soa.contact)} 0 ${refresh} ${retry} ${expire} ${minimum}`;
}

/** DKIM TXT value from a public key given as PEM or bare base64. */
export function dkimTxtValue(publicKey: string): string {
  const base64 = publicKey.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  return `v=DKIM1; k=rsa; p=${base64}`;
}

export function dmarcTxtValue(mail: NonNullable<DnsPlatformConfig['mail']>): string {
  return `v=DMARC1; p=${mail.dmarcPolicy}${mail.dmarcRua ? `; rua=mailto:${mail.dmarcRua}` : ''}`;
}

/** The names whose A/AAAA point at the platform by default. */
export function addressDefaultNames(domain: string): string[] {
  return [domain, `www.${domain}`];
}

function rrset(name: string, type: string, ttl: number, records: string[], managed: boolean): PlatformRrset {
  return { name, type, ttl, records, managed };
}

function zoneApexRrsets(zone: string, config: DnsPlatformConfig): PlatformRrset[] {
  const ttl = config.defaultTtl;
  const out = [
    rrset(zone, 'SOA', ttl, [soaContent(config)], true),
    rrset(
      zone,
      'NS',
      ttl,
      config.nameservers.map((ns) => `${ns}.`),
      true,
    ),
  ];
  if (config.caaIssuer) out.push(rrset(zone, 'CAA', ttl, [`0 issue "${config.caaIssuer}"`], true));
  return out;
}

// A selector is an owner-name label sequence (RFC 6376 §3.1); a bad one from a row would make PowerDNS
// refuse the whole PATCH of the zone, so it is left out instead.
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function dkimRrsets(domain: DomainRow, ttl: number): PlatformRrset[] {
  const dkim = domain.dkim;
  if (!dkim) return [];
  const keys: [string, string][] = [[dkim.selector, dkim.publicKey]];
  // During a key rotation the previous selector stays published until mail signed with it is delivered.
  if (dkim.previousSelector && dkim.previousPublicKey && dkim.previousSelector !== dkim.selector) {
    keys.push([dkim.previousSelector, dkim.previousPublicKey]);
  }
  return keys
    .map(([selector, key]) => [selector.toLowerCase(), key] as const)
    .filter(([selector]) => SELECTOR.test(selector))
    .map(([selector, key]) =>
      rrset(
        `${selector}._domainkey.${domain.name}`,
        'TXT',
        ttl,
        [txtContentFromText(dkimTxtValue(key))],
        true,
      ),
    );
}

function mailRrsets(domain: DomainRow, config: DnsPlatformConfig): PlatformRrset[] {
  const mail = config.mail;
  if (!domain.mail || !mail) return [];
  const ttl = config.defaultTtl;
  const d = domain.name;
  const host = `${mail.host}.`;
  const autoconfig = `${mail.autoconfigHost ?? mail.host}.`;
  const out = [
    rrset(d, 'MX', ttl, [`${mail.mxPreference} ${host}`], true),
    rrset(d, 'TXT', ttl, [txtContentFromText(mail.spf)], true),
    rrset(`_dmarc.${d}`, 'TXT', ttl, [txtContentFromText(dmarcTxtValue(mail))], true),
    rrset(`_submission._tcp.${d}`, 'SRV', ttl, [`0 1 ${mail.submissionPort} ${host}`], true),
    rrset(`_imaps._tcp.${d}`, 'SRV', ttl, [`0 1 ${mail.imapsPort} ${host}`], true),
    rrset(`autoconfig.${d}`, 'CNAME', ttl, [autoconfig], true),
    rrset(`autodiscover.${d}`, 'CNAME', ttl, [autoconfig], true),
  ];
  return [...out, ...dkimRrsets(domain, ttl)];
}

/** Issue 17: `webmail.{domain}` when the customer wants it: the platform's public addresses (its edge
 * routes the host to the shared webmail), read-only for the customer. */
export function webmailHost(domain: string): string {
  return `webmail.${domain}`;
}

function webmailRrsets(domain: DomainRow, config: DnsPlatformConfig): PlatformRrset[] {
  if (!domain.webmail) return [];
  const name = webmailHost(domain.name);
  const out: PlatformRrset[] = [];
  if (config.publicIPv4.length > 0)
    out.push(rrset(name, 'A', config.defaultTtl, [...config.publicIPv4], true));
  if (config.publicIPv6.length > 0)
    out.push(rrset(name, 'AAAA', config.defaultTtl, [...config.publicIPv6], true));
  return out;
}

/** Every default rrset of `domain`, which lives in `zone` (itself when it is a zone apex). */
export function platformRrsets(domain: DomainRow, zone: string, config: DnsPlatformConfig): PlatformRrset[] {
  const out = domain.name === zone ? zoneApexRrsets(zone, config) : [];
  for (const name of addressDefaultNames(domain.name)) {
    if (config.publicIPv4.length > 0)
      out.push(rrset(name, 'A', config.defaultTtl, [...config.publicIPv4], false));
    if (config.publicIPv6.length > 0)
      out.push(rrset(name, 'AAAA', config.defaultTtl, [...config.publicIPv6], false));
  }
  return [...out, ...mailRrsets(domain, config), ...webmailRrsets(domain, config)];
}
