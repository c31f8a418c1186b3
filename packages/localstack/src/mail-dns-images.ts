// Recipes of the images mail-system and dns-system run (issue 14), from Debian bookworm's packages,
// under the references the bootstrap config pins (config.bootstrap.systemImages.*), so the rendered
// manifests are the same on the local real node and in production. Pure values; images.ts builds them.
// docs/local-images.md lists how each differs from the upstream image.
import type { DebianImageRecipe } from './images.ts';
import { imageLabels, sbomLines, systemImagePins, tagOf } from './platform-images.ts';
import { fileIn, users } from './runtime-images.ts';

/**
 * Gives a system user the package's postinst made (with whatever uid it picked) the fixed uid the
 * upstream image uses, and hands the package's folders to it (hook script text).
 */
export function remapUser(name: string, uid: number, folders: string[]): string {
  return [
    `old=$(awk -F: '$1=="${name}"{print $3}' "$R/etc/passwd")`,
    `[ -n "$old" ] || { echo "no user ${name} in the image" >&2; exit 1; }`,
    `sed -i "s/^${name}:x:$old:[0-9]*:/${name}:x:${uid}:${uid}:/" "$R/etc/passwd"`,
    `sed -i "s/^${name}:x:[0-9]*:/${name}:x:${uid}:/" "$R/etc/group"`,
    ...folders.map((dir) => `mkdir -p "$R${dir}" && chown -R ${uid}:${uid} "$R${dir}"`),
  ].join('\n');
}

/**
 * The DKIM sync of the rspamd pod (our own program, `dkimSync`): every DKIM Secret the panel writes in
 * mail-system (label hostplane.io/dkim-domain = the domain; data `selector` and `private.key`) becomes
 * `$FOLDER/<domain>.<selector>.key` and one line `<domain> <selector>` of `$FOLDER/selectors.map` — the
 * layout Rspamd's dkim_signing reads (`path`, `selector_map`). Files change only when their content
 * does and are replaced by rename, so Rspamd reloads the map and re-reads a key (it checks the key
 * file's mtime) without a restart; keys of Secrets that are gone are removed.
 */
export const DKIM_SYNC_SCRIPT = `#!/bin/sh
set -u
SA=/var/run/secrets/kubernetes.io/serviceaccount
LABEL=\${LABEL:-hostplane.io/dkim-domain}
NAMESPACE=\${NAMESPACE:-$(cat "$SA/namespace")}
FOLDER=\${FOLDER:-/var/lib/rspamd/dkim}
MAP=\${SELECTOR_MAP:-$FOLDER/selectors.map}
INTERVAL=\${INTERVAL:-3}
API="https://\${KUBERNETES_SERVICE_HOST}:\${KUBERNETES_SERVICE_PORT}"
umask 077
log() { echo "dkim-sync: $*" >&2; }

# Replaces $2 by the temporary file $1 when their contents differ (rename: readers never see half a file).
replace() {
  if cmp -s "$1" "$2"; then rm -f "$1"; return 1; fi
  mv -f "$1" "$2"
}

sync_once() {
  selector=$(printf '%s' "$LABEL" | sed 's|/|%2F|g')
  list=$(curl -sS --fail --max-time 20 --cacert "$SA/ca.crt" \\
    -H "Authorization: Bearer $(cat "$SA/token")" \\
    "$API/api/v1/namespaces/$NAMESPACE/secrets?labelSelector=$selector") || return 1
  rows=$(printf '%s' "$list" | jq -r '.items | sort_by(.metadata.creationTimestamp) | reverse | .[]
    | [(.metadata.labels[env.LABEL] // ""), ((.data.selector // "") | @base64d), (.data["private.key"] // "")]
    | @tsv') || return 1
  tmp="$FOLDER/.sync.$$"
  : > "$tmp.map"
  : > "$tmp.keep"
  printf '%s\\n' "$rows" | while IFS='	' read -r domain sel key; do
    [ -n "$domain" ] || continue
    # Names only: a label or selector can never name a path outside the folder.
    printf '%s' "$domain" | grep -Eqx '[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?' || { log "skipped a Secret: bad domain"; continue; }
    printf '%s' "$sel" | grep -Eqx '[A-Za-z0-9][A-Za-z0-9._-]{0,62}' || { log "skipped $domain: bad selector"; continue; }
    [ -n "$key" ] || { log "skipped $domain: no private.key"; continue; }
    grep -q "^$domain " "$tmp.map" && continue
    printf '%s' "$key" | base64 -d > "$tmp.key" 2>/dev/null || { log "skipped $domain: key is not base64"; rm -f "$tmp.key"; continue; }
    replace "$tmp.key" "$FOLDER/$domain.$sel.key" && log "key of $domain (selector $sel) written"
    printf '%s %s\\n' "$domain" "$sel" >> "$tmp.map"
    printf '%s\\n' "$domain.$sel.key" >> "$tmp.keep"
  done
  sort -o "$tmp.map" "$tmp.map"
  if [ -e "$MAP" ] || [ -s "$tmp.map" ]; then
    [ -e "$MAP" ] || : > "$MAP"
    replace "$tmp.map" "$MAP" && log "selector map: $(wc -l < "$MAP") domain(s)"
  fi
  for file in "$FOLDER"/*.key; do
    [ -e "$file" ] || continue
    grep -qx "$(basename "$file")" "$tmp.keep" || { rm -f "$file"; log "removed $(basename "$file")"; }
  done
  rm -f "$tmp.map" "$tmp.keep" "$tmp.key"
}

log "watching Secrets labelled $LABEL in $NAMESPACE every \${INTERVAL}s into $FOLDER"
while :; do
  sync_once || log "pass failed; next in \${INTERVAL}s"
  sleep "$INTERVAL"
done
`;

/** The images of dns-system and mail-system built here (the `--only` names), by the pinned references. */
export function mailDnsImageRecipes(images = systemImagePins()): DebianImageRecipe[] {
  const labelled = (title: string, ref: string, source: string, licenses: string) => ({
    ...imageLabels(title, tagOf(ref)),
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.licenses': licenses,
  });
  return [
    {
      kind: 'debian',
      name: 'pdns',
      ref: images.pdns,
      variant: 'essential',
      packages: ['pdns-server', 'pdns-backend-mysql'],
      customize: [
        remapUser('pdns', 953, ['/run/pdns']),
        // Where the upstream image keeps the gmysql schema (dns-system's schema-source copies it).
        'mkdir -p "$R/usr/local/share/doc/pdns"',
        'cp "$R/usr/share/pdns-backend-mysql/schema/schema.mysql.sql" "$R/usr/local/share/doc/pdns/schema.mysql.sql"',
        'rm -f "$R/etc/pdns/pdns.d/"*',
        sbomLines(),
      ].join('\n'),
      config: {
        entrypoint: ['/usr/sbin/pdns_server'],
        cmd: ['--guardian=no', '--daemon=no', '--disable-syslog', '--write-pid=no'],
        user: '953:953',
        exposedPorts: ['53/udp', '53/tcp', '8081/tcp'],
        labels: labelled(
          'PowerDNS Authoritative (Debian pdns-server)',
          images.pdns,
          'https://salsa.debian.org/dns-team/pdns',
          'GPL-2.0',
        ),
      },
    },
    {
      kind: 'debian',
      name: 'postfix',
      ref: images.postfix,
      variant: 'essential',
      packages: ['postfix', 'postfix-mysql', 'ca-certificates'],
      customize: [
        // Postfix's master starts as root and drops to `postfix` itself (mail-system runs it so).
        'echo "localhost" > "$R/etc/mailname"',
        sbomLines(),
      ].join('\n'),
      config: {
        entrypoint: ['postfix', 'start-fg'],
        user: '0:0',
        exposedPorts: ['25/tcp', '465/tcp', '587/tcp'],
        labels: labelled(
          'Postfix with MySQL maps (Debian postfix, postfix-mysql)',
          images.postfix,
          'https://salsa.debian.org/postfix-team/postfix-dev',
          'IPL-1.0 OR EPL-2.0',
        ),
      },
    },
    {
      kind: 'debian',
      name: 'dovecot',
      ref: images.dovecot,
      variant: 'essential',
      packages: [
        'dovecot-imapd',
        'dovecot-pop3d',
        'dovecot-lmtpd',
        'dovecot-mysql',
        'dovecot-sieve',
        'dovecot-managesieved',
        // The spam-learning program (IMAPSieve pipe, issue 17) posts to Rspamd's controller with curl.
        'curl',
        'ca-certificates',
      ],
      customize: [
        // The mail user of the rendered config (mail_uid/mail_gid 5000), as in the upstream image.
        users('vmail', 5000),
        'mkdir -p "$R/srv/mail" && chown 5000:5000 "$R/srv/mail"',
        sbomLines(),
      ].join('\n'),
      config: {
        entrypoint: ['dovecot', '-F'],
        user: '0:0',
        exposedPorts: ['110/tcp', '143/tcp', '993/tcp', '995/tcp', '24/tcp', '4190/tcp'],
        labels: labelled(
          'Dovecot with Pigeonhole and MySQL (Debian dovecot-*)',
          images.dovecot,
          'https://salsa.debian.org/debian/dovecot',
          'LGPL-2.1 AND MIT',
        ),
      },
    },
    {
      kind: 'debian',
      name: 'rspamd',
      ref: images.rspamd,
      variant: 'essential',
      packages: ['rspamd', 'ca-certificates'],
      customize: [remapUser('_rspamd', 11333, ['/var/lib/rspamd', '/run/rspamd']), sbomLines()].join('\n'),
      config: {
        entrypoint: ['rspamd', '-f'],
        user: '11333:11333',
        exposedPorts: ['11332/tcp', '11333/tcp', '11334/tcp'],
        labels: labelled(
          'Rspamd (Debian rspamd)',
          images.rspamd,
          'https://salsa.debian.org/debian/rspamd',
          'Apache-2.0',
        ),
      },
    },
    {
      kind: 'debian',
      name: 'dkim-sync',
      ref: images.dkimSync,
      variant: 'essential',
      packages: ['curl', 'jq', 'ca-certificates'],
      customize: [
        users('dkim-sync', 11333),
        fileIn('/usr/local/bin/dkim-sync', DKIM_SYNC_SCRIPT),
        'chmod 0755 "$R/usr/local/bin/dkim-sync"',
        sbomLines(),
      ].join('\n'),
      config: {
        entrypoint: ['/usr/local/bin/dkim-sync'],
        user: '11333:11333',
        labels: labelled(
          'Hostplane DKIM sync (DKIM Secrets to Rspamd key files)',
          images.dkimSync,
          'https://github.com/hostplane/hostplane',
          'Apache-2.0',
        ),
      },
    },
    {
      kind: 'debian',
      name: 'redis',
      ref: images.redis,
      variant: 'essential',
      packages: ['redis-server'],
      customize: [remapUser('redis', 999, ['/data']), sbomLines()].join('\n'),
      config: {
        // The upstream image runs redis-server without a config file and protected mode off; its
        // arguments (mail-system: --save '' --appendonly no) follow.
        entrypoint: ['redis-server', '--protected-mode', 'no'],
        user: '999:999',
        workdir: '/data',
        exposedPorts: ['6379/tcp'],
        labels: labelled(
          'Redis (Debian redis-server)',
          images.redis,
          'https://salsa.debian.org/lamby/pkg-redis',
          'BSD-3-Clause',
        ),
      },
    },
  ];
}
