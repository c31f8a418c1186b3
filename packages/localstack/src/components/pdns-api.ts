// Seeds zones through a PowerDNS Authoritative HTTP API (the stack's own zones: the platform zone
// and the registry's root and `test.`), idempotently: a zone is created when missing, and only the
// rrsets that differ are replaced, so a second `up` writes nothing.

export interface SeedRrset {
  name: string; // absolute, with the trailing dot
  type: string;
  ttl: number;
  records: string[];
}

export interface SeedZone {
  name: string; // absolute, with the trailing dot
  account: string;
  rrsets: SeedRrset[];
}

interface ApiRrset {
  name: string;
  type: string;
  ttl: number;
  records: { content: string }[];
}

async function call(apiUrl: string, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`PowerDNS ${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return response;
}

const sameRecords = (a: string[], b: string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');

export async function ensureZone(apiUrl: string, key: string, zone: SeedZone): Promise<void> {
  // PowerDNS zone ids escape as =XX; the root's id is "=2E" (a bare "." would vanish from the URL).
  const path = `/zones/${zone.name === '.' ? '=2E' : encodeURIComponent(zone.name)}`;
  const existing = await call(apiUrl, key, 'GET', path);
  const toApi = (r: SeedRrset) => ({
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    records: r.records.map((content) => ({ content, disabled: false })),
  });
  if (existing.status === 404) {
    await call(apiUrl, key, 'POST', '/zones', {
      name: zone.name,
      kind: 'Native',
      account: zone.account,
      nameservers: [],
      rrsets: zone.rrsets.map(toApi),
    });
    return;
  }
  const current = ((await existing.json()) as { rrsets: ApiRrset[] }).rrsets;
  const changed = zone.rrsets.filter((want) => {
    if (want.type === 'SOA') return false; // the serial moves on every edit; seeded once
    const have = current.find((r) => r.name === want.name && r.type === want.type);
    return (
      !have ||
      have.ttl !== want.ttl ||
      !sameRecords(
        have.records.map((r) => r.content),
        want.records,
      )
    );
  });
  if (changed.length === 0) return;
  await call(apiUrl, key, 'PATCH', path, {
    rrsets: changed.map((r) => ({ ...toApi(r), changetype: 'REPLACE' })),
  });
}
