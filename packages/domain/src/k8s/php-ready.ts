// Readiness of the PHP templates that means something: nginx's readiness location asks php-fpm to run
// a small script mounted from the site's nginx ConfigMap. When PHP cannot execute (php-fpm down or
// stuck, its workers not answering, a broken ini), the probe fails and the pod leaves the Service.
// The script of a php site only runs PHP; WordPress' script also connects to its database
// (wordpress.ts). Liveness stays on nginx's own /healthz: an unready PHP never restarts nginx.

/** Where the PHP container sees the script (a key of the site's nginx ConfigMap). */
export const PHP_READY_DIR = '/etc/hostplane/ready';
export const PHP_READY_KEY = 'ready.php';
/** nginx's path for the readiness probe. */
export const PHP_READY_PATH = '/healthz/ready';

/** A php site is ready when php-fpm executes PHP: 200 "ok", nothing else to say to the outside. */
export const PHP_READY_SCRIPT = `<?php
// Hostplane: readiness of a php site (php-fpm executes PHP).
header('Content-Type: text/plain');
header('Cache-Control: no-store');
echo "ok\\n";
`;

/** The nginx location of the readiness probe (inside the php server block). */
export function phpReadyLocation(): string {
  return [
    `  location = ${PHP_READY_PATH} {`,
    '    access_log off;',
    '    include fastcgi_params;',
    `    fastcgi_param SCRIPT_FILENAME ${PHP_READY_DIR}/${PHP_READY_KEY};`,
    // A stuck php-fpm answers nothing: the probe's own 2 s bound ends the request (504 from nginx
    // after fastcgi_read_timeout would come too late).
    '    fastcgi_read_timeout 2s;',
    '    fastcgi_pass 127.0.0.1:9000;',
    '  }',
  ].join('\n');
}
