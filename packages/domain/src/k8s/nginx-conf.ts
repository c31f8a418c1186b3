// nginx server blocks for the nginx-based templates; /healthz gives the probes a page that exists
// even while the customer's web root is still empty.

const HEALTHZ = '  location = /healthz { access_log off; default_type text/plain; return 200 "ok\\n"; }\n';

export function staticNginxConf(): string {
  return [
    'server {',
    '  listen 8080;',
    '  root /usr/share/nginx/html;',
    '  index index.html index.htm;',
    HEALTHZ.trimEnd(),
    '  location / { try_files $uri $uri/ =404; }',
    '}',
    '',
  ].join('\n');
}

export function phpNginxConf(): string {
  return [
    'server {',
    '  listen 8080;',
    '  root /var/www/html;',
    '  index index.php index.html;',
    '  client_max_body_size 64m;',
    HEALTHZ.trimEnd(),
    '  location / { try_files $uri $uri/ /index.php?$args; }',
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
