// Recipes of the tenant runtimes built from Debian packages: PHP per Debian suite (bookworm 8.2,
// trixie 8.4) and MariaDB (bookworm 10.11). Pure values; images.ts builds them. docs/local-images.md
// lists how each differs from the upstream image whose reference it carries.
import path from 'node:path';
import type { DebianImageRecipe, DebianSuite } from './images.ts';

/** Writes a file into the root file system from a hook script (pure text; quoted heredoc, no expansion). */
export function fileIn(target: string, content: string): string {
  return [
    `mkdir -p "$R${path.posix.dirname(target)}"`,
    `cat > "$R${target}" <<'HOSTPLANE_EOF'`,
    content.trimEnd(),
    'HOSTPLANE_EOF',
  ].join('\n');
}

/** Adds a user and group with a fixed id unless the name exists (hook script text). */
export function users(name: string, uid: number): string {
  return [
    `grep -q '^${name}:' "$R/etc/passwd" || echo '${name}:x:${uid}:${uid}:${name}:/nonexistent:/usr/sbin/nologin' >> "$R/etc/passwd"`,
    `grep -q '^${name}:' "$R/etc/group" || echo '${name}:x:${uid}:' >> "$R/etc/group"`,
  ].join('\n');
}

/** php-fpm as the upstream php:*-fpm image configures it: port 9000, logs to stderr, environment kept. */
export const PHP_FPM_CONF = `
[global]
error_log = /proc/self/fd/2
daemonize = no
pid = /tmp/php-fpm.pid
log_limit = 8192
[www]
listen = 9000
pm = dynamic
pm.max_children = 5
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
access.log = /proc/self/fd/2
`;

/** The Debian suite that carries each PHP version (DESIGN §9: PHP versions come from Debian suites). */
export const PHP_SUITES: Readonly<Record<string, DebianSuite>> = { '8.2': 'bookworm', '8.4': 'trixie' };

/** php-fpm of one PHP version from the Debian suite that has it; uid 82, port 9000, like site-php. */
export function phpRecipe(version: string, ref: string): DebianImageRecipe {
  const suite = PHP_SUITES[version];
  if (!suite) throw new Error(`no Debian suite known for PHP ${version}; known: ${Object.keys(PHP_SUITES)}`);
  const pkg = (ext: string) => `php${version}-${ext}`;
  return {
    kind: 'debian',
    name: `site-php-${version}`,
    ref,
    variant: 'essential',
    suite,
    packages: ['fpm', 'cli', 'mysql', 'gd', 'curl', 'xml', 'mbstring', 'zip'].map(pkg),
    customize: [
      users('www-data-alpine', 82),
      'mkdir -p "$R/var/www/html" "$R/usr/local/sbin" "$R/usr/local/bin" "$R/etc/php/site.d"',
      `ln -sf /usr/sbin/php-fpm${version} "$R/usr/local/sbin/php-fpm"`,
      `ln -sf /usr/bin/php${version} "$R/usr/local/bin/php"`,
      fileIn(`/etc/php/${version}/fpm/php-fpm.conf`, PHP_FPM_CONF),
      `rm -f "$R/etc/php/${version}/fpm/pool.d/www.conf"`,
    ].join('\n'),
    config: {
      entrypoint: [
        `/usr/sbin/php-fpm${version}`,
        '--nodaemonize',
        '--fpm-config',
        `/etc/php/${version}/fpm/php-fpm.conf`,
      ],
      user: '82:82',
      workdir: '/var/www/html',
      exposedPorts: ['9000/tcp'],
      // The compiled-in conf.d first (leading ":"), then the site's own php.ini settings.
      env: { PHP_INI_SCAN_DIR: ':/etc/php/site.d' },
    },
  };
}

/** MariaDB listening on all addresses, small memory footprint, logs to stderr, socket in /run/mysqld. */
const MARIADB_CNF = `
[mariadbd]
datadir = /var/lib/mysql
socket = /run/mysqld/mysqld.sock
pid-file = /run/mysqld/mysqld.pid
bind-address = 0.0.0.0
port = 3306
skip-name-resolve
log-error = /dev/stderr
performance_schema = OFF
innodb_buffer_pool_size = 64M
max_connections = 100
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
[client]
socket = /run/mysqld/mysqld.sock
`;

/**
 * The upstream image's first-start contract on an empty data volume: MARIADB_ROOT_PASSWORD or
 * MARIADB_RANDOM_ROOT_PASSWORD, MARIADB_ROOT_HOST (default %), MARIADB_DATABASE, MARIADB_USER,
 * MARIADB_PASSWORD; later starts leave the data alone. Runs as the container's (non-root) user.
 */
const MARIADB_ENTRYPOINT = `#!/bin/sh
set -eu
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
q() { printf '%s' "$1" | sed "s/'/''/g"; }
if [ ! -d "$DATADIR/mysql" ]; then
  if [ -n "\${MARIADB_RANDOM_ROOT_PASSWORD:-}" ]; then
    MARIADB_ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)
  fi
  if [ -z "\${MARIADB_ROOT_PASSWORD:-}" ]; then
    echo "hostplane-mariadb: MARIADB_ROOT_PASSWORD or MARIADB_RANDOM_ROOT_PASSWORD is required" >&2
    exit 1
  fi
  echo "hostplane-mariadb: initialising $DATADIR" >&2
  mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  mariadbd --skip-networking --socket="$SOCKET" &
  pid=$!
  i=0
  until mariadb-admin --socket="$SOCKET" -uroot ping >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 120 ] || { echo "hostplane-mariadb: server did not start" >&2; exit 1; }
    sleep 0.5
  done
  root=$(q "$MARIADB_ROOT_PASSWORD")
  host=$(q "\${MARIADB_ROOT_HOST:-%}")
  {
    echo "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root';"
    if [ "\${MARIADB_ROOT_HOST:-%}" != localhost ]; then
      echo "CREATE USER IF NOT EXISTS 'root'@'$host' IDENTIFIED BY '$root';"
      echo "GRANT ALL ON *.* TO 'root'@'$host' WITH GRANT OPTION;"
    fi
    if [ -n "\${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \\\`$MARIADB_DATABASE\\\`;"
    fi
    if [ -n "\${MARIADB_USER:-}" ] && [ -n "\${MARIADB_PASSWORD:-}" ]; then
      echo "CREATE USER IF NOT EXISTS '$(q "$MARIADB_USER")'@'%' IDENTIFIED BY '$(q "$MARIADB_PASSWORD")';"
      if [ -n "\${MARIADB_DATABASE:-}" ]; then
        echo "GRANT ALL ON \\\`$MARIADB_DATABASE\\\`.* TO '$(q "$MARIADB_USER")'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$SOCKET" -uroot
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "hostplane-mariadb: running $f" >&2
    MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --socket="$SOCKET" -uroot \${MARIADB_DATABASE:+"$MARIADB_DATABASE"} < "$f"
  done
  mariadb-admin --socket="$SOCKET" -uroot -p"$MARIADB_ROOT_PASSWORD" shutdown
  wait "$pid" || true
fi
exec mariadbd "$@"
`;

/** The upstream image's readiness check as the platform's probes call it (`healthcheck.sh --connect`):
 * the server accepts a TCP connection (mariadb-admin ping exits 0 even when access is denied). */
const MARIADB_HEALTHCHECK = `#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    --connect) ;;
    *) echo "healthcheck.sh: only --connect is implemented by this image" >&2; exit 2 ;;
  esac
done
exec mariadb-admin --protocol=tcp -h 127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1
`;

/** MariaDB 10.11 from bookworm under the pinned upstream reference; uid 999 like the upstream image. */
export function mariadbRecipe(ref: string): DebianImageRecipe {
  return {
    kind: 'debian',
    name: 'mariadb',
    ref,
    variant: 'essential',
    packages: ['mariadb-server', 'mariadb-client'],
    // Before mariadb-server's postinst runs, so its `mysql` system user is uid 999 as upstream.
    essential: users('mysql', 999),
    customize: [
      fileIn('/etc/mysql/mariadb.conf.d/99-hostplane.cnf', MARIADB_CNF),
      fileIn('/usr/local/bin/docker-entrypoint.sh', MARIADB_ENTRYPOINT),
      fileIn('/usr/local/bin/healthcheck.sh', MARIADB_HEALTHCHECK),
      'chmod 0755 "$R/usr/local/bin/docker-entrypoint.sh" "$R/usr/local/bin/healthcheck.sh"',
      'mkdir -p "$R/docker-entrypoint-initdb.d"',
      'rm -rf "$R/var/lib/mysql" && mkdir -p "$R/var/lib/mysql" "$R/run/mysqld"',
      'chown 999:999 "$R/var/lib/mysql" "$R/run/mysqld"',
    ].join('\n'),
    config: {
      entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
      user: '999:999',
      exposedPorts: ['3306/tcp'],
    },
  };
}

/**
 * wp-config.php as the upstream wordpress image writes it on first start (wp-config-docker.php): every
 * setting from the environment (WORDPRESS_DB_HOST/USER/PASSWORD/NAME, WORDPRESS_TABLE_PREFIX, keys and
 * salts, WORDPRESS_DEBUG, WORDPRESS_CONFIG_EXTRA), `*_FILE` variants read from files; the entrypoint
 * replaces each "put your unique phrase here" with its own random value.
 */
export const WP_CONFIG_DOCKER = `<?php
// Hostplane's local build of the upstream image's wp-config-docker.php: settings from the environment.
if (!function_exists('getenv_docker')) {
	function getenv_docker($env, $default) {
		if ($fileEnv = getenv($env . '_FILE')) {
			return rtrim(file_get_contents($fileEnv), "\\r\\n");
		} elseif (($val = getenv($env)) !== false) {
			return $val;
		}
		return $default;
	}
}
define( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );
define( 'DB_USER', getenv_docker('WORDPRESS_DB_USER', 'example username') );
define( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password') );
define( 'DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql') );
define( 'DB_CHARSET', getenv_docker('WORDPRESS_DB_CHARSET', 'utf8') );
define( 'DB_COLLATE', getenv_docker('WORDPRESS_DB_COLLATE', '') );
define( 'AUTH_KEY',         getenv_docker('WORDPRESS_AUTH_KEY',         'put your unique phrase here') );
define( 'SECURE_AUTH_KEY',  getenv_docker('WORDPRESS_SECURE_AUTH_KEY',  'put your unique phrase here') );
define( 'LOGGED_IN_KEY',    getenv_docker('WORDPRESS_LOGGED_IN_KEY',    'put your unique phrase here') );
define( 'NONCE_KEY',        getenv_docker('WORDPRESS_NONCE_KEY',        'put your unique phrase here') );
define( 'AUTH_SALT',        getenv_docker('WORDPRESS_AUTH_SALT',        'put your unique phrase here') );
define( 'SECURE_AUTH_SALT', getenv_docker('WORDPRESS_SECURE_AUTH_SALT', 'put your unique phrase here') );
define( 'LOGGED_IN_SALT',   getenv_docker('WORDPRESS_LOGGED_IN_SALT',   'put your unique phrase here') );
define( 'NONCE_SALT',       getenv_docker('WORDPRESS_NONCE_SALT',       'put your unique phrase here') );
$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');
define( 'WP_DEBUG', !!getenv_docker('WORDPRESS_DEBUG', '') );
// Behind the platform's edge (TLS ends there): the forwarded scheme tells WordPress it is served over https.
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}
if ($configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {
	eval($configExtra);
}
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`;

/**
 * The upstream wordpress image's entrypoint contract, as the (non-root) container user: an empty web
 * root receives /usr/src/wordpress; without a wp-config.php and with any WORDPRESS_* variable set,
 * wp-config-docker.php becomes wp-config.php with fresh keys and salts. Then php-fpm (the CMD).
 */
const WORDPRESS_ENTRYPOINT = `#!/bin/sh
set -eu
case "\${1:-}" in
  php-fpm*)
    if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
      echo "WordPress not found in $PWD - copying now..." >&2
      # Copied beside the web root on the same volume, then renamed into place, index.php and
      # wp-includes last: a copy cut short (startup probe, eviction) leaves neither, so the next
      # start copies again instead of serving half a WordPress. An existing entry is merged over.
      scratch=.hostplane-wordpress-copy
      rm -rf "$scratch"
      mkdir "$scratch"
      cp -R /usr/src/wordpress/. "$scratch/"
      for entry in "$scratch"/* "$scratch"/.[!.]* wp-includes index.php; do
        name=\${entry#"$scratch"/}
        case "$entry" in "$scratch"/wp-includes | "$scratch"/index.php) continue ;; esac
        [ "$entry" = "$name" ] && entry="$scratch/$name"
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        if [ -d "$name" ] && [ -d "$entry" ]; then
          cp -R "$entry/." "$name/" && rm -rf "$entry"
        else
          rm -rf "$name" && mv "$entry" "$name"
        fi
      done
      rmdir "$scratch"
      echo "Complete! WordPress has been successfully copied to $PWD" >&2
    fi
    if [ ! -s wp-config.php ] && env | grep -q '^WORDPRESS_'; then
      php -r '
        $c = file_get_contents("/usr/src/wordpress/wp-config-docker.php");
        $c = preg_replace_callback("/put your unique phrase here/", fn () => bin2hex(random_bytes(20)), $c);
        file_put_contents("wp-config.php", $c);
      '
      echo "wp-config.php written from the environment" >&2
    fi
    ;;
esac
exec "$@"
`;

/** The Debian packages WordPress' files link to (Debian replaces bundled copies with its own). */
const WORDPRESS_LINKED = [
  'php-getid3',
  'libjs-cropper',
  'libjs-lodash',
  'libjs-underscore',
  'ca-certificates',
];

/**
 * WordPress from the Debian suite of its PHP version (DESIGN: WordPress from the suite of the PHP it
 * runs on), laid out like the upstream fpm image: the release in /usr/src/wordpress (links resolved,
 * so a copy on the site's volume stands alone), the entrypoint above, php-fpm on 9000 as uid 82 with
 * the extensions upstream compiles in. The `wordpress` package is unpacked, not installed: installing
 * it would pull Apache (its `apache2 | httpd` dependency), which the fpm image does not carry.
 */
export function wordpressRecipe(name: string, version: string, ref: string): DebianImageRecipe {
  const php = phpRecipe(version, ref);
  const pkg = (ext: string) => `php${version}-${ext}`;
  return {
    ...php,
    name,
    packages: [...php.packages, ...['intl', 'bcmath', 'opcache'].map(pkg), ...WORDPRESS_LINKED],
    customize: [
      php.customize,
      // /usr/local/sbin/php-fpm as the upstream CMD: the pool configuration above, in the foreground.
      'rm -f "$R/usr/local/sbin/php-fpm"',
      fileIn(
        '/usr/local/sbin/php-fpm',
        `#!/bin/sh\nexec /usr/sbin/php-fpm${version} --nodaemonize --fpm-config /etc/php/${version}/fpm/php-fpm.conf "$@"`,
      ),
      'chmod 0755 "$R/usr/local/sbin/php-fpm"',
      'debs=$(mktemp -d)',
      '(cd "$debs" && APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" apt-get download wordpress wordpress-theme-twentytwentyfive)',
      'for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$R"; done',
      'rm -rf "$debs"',
      // Resolve Debian's links inside the image (absolute ones point into its /etc and /usr).
      'chroot "$R" cp -RL /usr/share/wordpress /usr/src/wordpress',
      'rm -rf "$R/usr/share/wordpress" "$R/var/lib/wordpress" "$R/etc/wordpress" "$R/etc/apparmor.d"',
      'rm -f "$R/usr/src/wordpress/wp-config.php" "$R/usr/src/wordpress/.htaccess"',
      fileIn('/usr/src/wordpress/wp-config-docker.php', WP_CONFIG_DOCKER),
      // The release's version, for the SBOM-like record beside the archive and the docs.
      'grep "^\\$wp_version" "$R/usr/src/wordpress/wp-includes/version.php" >&2',
      fileIn('/usr/local/bin/docker-entrypoint.sh', WORDPRESS_ENTRYPOINT),
      'chmod 0755 "$R/usr/local/bin/docker-entrypoint.sh"',
    ].join('\n'),
    config: {
      entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
      cmd: ['php-fpm'],
      user: '82:82',
      workdir: '/var/www/html',
      exposedPorts: ['9000/tcp'],
      env: {
        PHP_INI_SCAN_DIR: ':/etc/php/site.d',
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      },
    },
  };
}

interface WordpressImages {
  images: { wordpress: string };
  php: { versions: { version: string; wordpressImage?: string | undefined }[]; defaultVersion: string };
}

/**
 * One WordPress image per distinct reference: `wordpress` for `images.wordpress` (on the PHP version
 * whose `wordpressImage` it is, else the default version), `wordpress-<version>` for a version's own
 * `wordpressImage` when it is another reference.
 */
export function wordpressRecipes(platform: WordpressImages): DebianImageRecipe[] {
  const { images, php } = platform;
  const mainVersion =
    php.versions.find((v) => v.wordpressImage === images.wordpress)?.version ?? php.defaultVersion;
  const recipes = [wordpressRecipe('wordpress', mainVersion, images.wordpress)];
  for (const v of php.versions) {
    if (v.wordpressImage && v.wordpressImage !== images.wordpress)
      recipes.push(wordpressRecipe(`wordpress-${v.version}`, v.version, v.wordpressImage));
  }
  return recipes;
}
