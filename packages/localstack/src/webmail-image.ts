// The webmail image of mail-system (issue 17): Roundcube from Debian bookworm's roundcube-core with
// its SQLite driver, php-fpm 8.2 and nginx-light, under the reference the bootstrap config pins
// (config.bootstrap.systemImages.webmail). One image, two containers (bootstrap/webmail.ts): php-fpm
// runs Roundcube, nginx serves it, both as www-data (uid 33) with a read-only root file system; the
// pod mounts config.inc.php, the php-fpm and nginx configs, the SQLite volume and /tmp.
// docs/local-images.md lists it. Pure values; images.ts builds it.
import type { DebianImageRecipe } from './images.ts';
import { imageLabels, sbomLines, systemImagePins, tagOf } from './platform-images.ts';

/** www-data in Debian: the uid bootstrap/webmail.ts runs both containers as. */
export const WEBMAIL_UID = 33;

export function webmailImageRecipe(ref = systemImagePins().webmail): DebianImageRecipe {
  return {
    kind: 'debian',
    name: 'webmail',
    ref,
    variant: 'essential',
    packages: ['roundcube-core', 'roundcube-sqlite3', 'php8.2-fpm', 'nginx-light', 'ca-certificates'],
    customize: [
      // dbconfig-common's SQLite database of the package's postinst is not the one the pod uses (the
      // volume's); its generated credentials file is overmounted by the rendered config.inc.php.
      'rm -rf "$R/var/lib/dbconfig-common/sqlite3/roundcube"',
      // Mount points of the pod's volumes, and nginx's default temp folders (created at start if
      // missing, which a read-only root file system refuses) ready and the runtime user's.
      'mkdir -p "$R/var/lib/roundcube/db" "$R/run/php" "$R/etc/hostplane"',
      'for d in body fastcgi proxy scgi uwsgi; do mkdir -p "$R/var/lib/nginx/$d"; done',
      `chown -R ${WEBMAIL_UID}:${WEBMAIL_UID} "$R/var/lib/nginx" "$R/var/lib/roundcube/db" "$R/run/php"`,
      // Debian's site and pool configs are not used (the pod passes its own with -c / --fpm-config).
      'rm -f "$R/etc/nginx/sites-enabled/"*',
      sbomLines(),
    ].join('\n'),
    config: {
      entrypoint: ['/usr/sbin/php-fpm8.2', '--nodaemonize'],
      user: `${WEBMAIL_UID}:${WEBMAIL_UID}`,
      workdir: '/var/lib/roundcube',
      exposedPorts: ['8080/tcp'],
      env: { ROUNDCUBE_CONFIG_DIR: '/etc/roundcube' },
      labels: {
        ...imageLabels('Roundcube webmail (Debian roundcube-core, php-fpm, nginx)', tagOf(ref)),
        'org.opencontainers.image.source': 'https://salsa.debian.org/roundcube-team/roundcube',
        'org.opencontainers.image.licenses': 'GPL-3.0-or-later',
      },
    },
  };
}
