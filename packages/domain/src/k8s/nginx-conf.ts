// nginx server blocks for the nginx-based templates; /healthz gives the probes a page that exists
// even while the customer's web root is still empty.

const HEALTHZ = '  location = /healthz { access_log off; default_type text/plain; return 200 "ok\\n"; }\n';

/** What a new site answers at `/` until the customer uploads an index: 200, never a 403 of an empty directory. */
export const READY_PAGE_TEXT = 'This site is ready to receive content.';
const READY_PAGE = `<!doctype html><html><head><meta charset=utf-8><title>Ready</title></head><body><p>${READY_PAGE_TEXT}</p></body></html>`;
// In the server block itself (not a file of the image): the page is the same with every nginx image.
const READY_LOCATION = `  location @ready { default_type text/html; return 200 '${READY_PAGE}'; }`;

export function staticNginxConf(): string {
  return [
    'server {',
    '  listen 8080;',
    '  root /usr/share/nginx/html;',
    '  index index.html index.htm;',
    HEALTHZ.trimEnd(),
    '  location = / { try_files /index.html /index.htm @ready; }',
    '  location / { try_files $uri $uri/ =404; }',
    READY_LOCATION,
    '}',
    '',
  ].join('\n');
}

/**
 * `bodyLimit`: nginx's client_max_body_size when the site's upload limit is above the default 64m.
 * `readyLocation`: a location the readiness probe asks (wordpress: through php-fpm to the database).
 */
export function phpNginxConf(bodyLimit: string | null = null, readyLocation: string | null = null): string {
  return [
    'server {',
    '  listen 8080;',
    '  root /var/www/html;',
    '  index index.php index.html;',
    `  client_max_body_size ${bodyLimit ?? '64m'};`,
    HEALTHZ.trimEnd(),
    ...(readyLocation ? [readyLocation] : []),
    // `/` runs index.php when there is one, serves index.html otherwise, else the ready page.
    '  location = / {',
    '    if (-f $document_root/index.php) { rewrite ^ /index.php last; }',
    '    try_files /index.html /index.htm @ready;',
    '  }',
    '  location / { try_files $uri $uri/ /index.php?$args; }',
    READY_LOCATION,
    '  location ~ \\.php$ {',
    '    try_files $uri =404;',
    '    include fastcgi_params;',
    '    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;',
    '    fastcgi_pass 127.0.0.1:9000;',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** FNV-1a, 32 bit: a stable pod-template annotation so a config change rolls the pods. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
