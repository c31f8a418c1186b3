// Readiness of a WordPress site that means something: nginx asks php-fpm to run a small script
// (php-ready.ts says where and how) that connects to the site's database with WordPress' own settings. When PHP cannot execute (php-fpm
// down, broken ini, no mysqli) or the database is unreachable or refuses the credentials, the probe
// fails and the pod leaves the Service. Liveness stays on nginx's own /healthz: a database outage
// makes the site unready, it never restarts the web containers.

/**
 * The script reads the upstream image's variables (WORDPRESS_DB_HOST may carry ":port"); it answers
 * 200 "ok" or 503 without details (the path is reachable from outside like /healthz).
 */
export const WORDPRESS_READY_PHP = `<?php
// Hostplane: readiness of a WordPress site (PHP executes, the database accepts WordPress' credentials).
header('Content-Type: text/plain');
header('Cache-Control: no-store');
mysqli_report(MYSQLI_REPORT_OFF);
$env = static function (string $name, string $default): string {
    $value = getenv($name);
    return $value === false ? $default : $value;
};
$host = $env('WORDPRESS_DB_HOST', 'mysql');
$port = 3306;
if (preg_match('/^(.+):([0-9]+)$/', $host, $m) === 1) {
    $host = $m[1];
    $port = (int) $m[2];
}
$db = mysqli_init();
$db->options(MYSQLI_OPT_CONNECT_TIMEOUT, 1);
$ok = @$db->real_connect(
    $host,
    $env('WORDPRESS_DB_USER', ''),
    $env('WORDPRESS_DB_PASSWORD', ''),
    $env('WORDPRESS_DB_NAME', 'wordpress'),
    $port
);
if (!$ok) {
    http_response_code(503);
    echo "database unreachable\\n";
    exit;
}
$db->close();
echo "ok\\n";
`;
