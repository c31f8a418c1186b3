// PHP of the php and wordpress templates (issue 16): the version's image from the platform config,
// php.ini settings a customer may choose within its plan's bounds, rendered into a ConfigMap.
import { effectivePlanLimits, type PhpSettings, type PlanLimits, type SiteRow } from '../snapshot.ts';
import type { TenantPlatformConfig } from './types.ts';

/** Where the site's php.ini settings are mounted; PHP_INI_SCAN_DIR adds it after the image's conf.d. */
export const PHP_SITE_INI_DIR = '/etc/php/site.d';
export const PHP_INI_SCAN_DIR = `:${PHP_SITE_INI_DIR}`;

/** The php-fpm image of a php site: its version's, or (rows older than phpVersion) the pinned phpFpm. */
export function phpImageOf(site: Pick<SiteRow, 'phpVersion'>, config: TenantPlatformConfig): string {
  if (!site.phpVersion) return config.images.phpFpm;
  const entry = config.php.versions.find((v) => v.version === site.phpVersion);
  // A version dropped from the platform config keeps running on the default rather than failing.
  return (
    (entry ?? config.php.versions.find((v) => v.version === config.php.defaultVersion))?.image ??
    config.images.phpFpm
  );
}

/**
 * The WordPress image of a wordpress site: its PHP version's `wordpressImage`, or (no version chosen,
 * or a version since dropped from the platform config) the pinned `images.wordpress`.
 */
export function wordpressImageOf(site: Pick<SiteRow, 'phpVersion'>, config: TenantPlatformConfig): string {
  if (!site.phpVersion) return config.images.wordpress;
  const entry = config.php.versions.find((v) => v.version === site.phpVersion);
  return entry?.wordpressImage ?? config.images.wordpress;
}

/** The PHP versions a wordpress site may choose: those with a WordPress image, in config order. */
export function wordpressPhpVersions(php: Pick<TenantPlatformConfig['php'], 'versions'>): string[] {
  return php.versions.filter((v) => v.wordpressImage).map((v) => v.version);
}

/** "256M" → bytes (php.ini shorthand, K/M/G powers of 1024). */
export function phpBytes(value: string): number {
  const match = /^([1-9][0-9]{0,5})([KMG])$/.exec(value);
  if (!match) return Number.NaN;
  const power = { K: 1, M: 2, G: 3 }[match[2] as 'K' | 'M' | 'G'];
  return Number(match[1]) * 1024 ** power;
}

export interface PhpIssue {
  path: string[];
  message: string;
}

/** The settings against the plan's bounds and the platform's versions; 422 material, pure. */
export function phpIssues(
  input: { template: string; phpVersion?: string | undefined; php?: PhpSettings | undefined },
  limits: PlanLimits,
  config: Pick<TenantPlatformConfig, 'php'>,
): PhpIssue[] {
  const issues: PhpIssue[] = [];
  const phpTemplate = input.template === 'php';
  if (input.phpVersion !== undefined) {
    if (input.template === 'wordpress') {
      if (!config.php.versions.some((v) => v.version === input.phpVersion && v.wordpressImage)) {
        const offered = wordpressPhpVersions(config.php);
        issues.push({
          path: ['phpVersion'],
          message:
            offered.length > 0
              ? `no WordPress image for PHP ${input.phpVersion}; this platform has ${offered.join(', ')}`
              : 'not offered for wordpress: this platform has no WordPress image per PHP version',
        });
      }
    } else if (!phpTemplate) {
      issues.push({ path: ['phpVersion'], message: 'only for templates php and wordpress' });
    } else if (!config.php.versions.some((v) => v.version === input.phpVersion)) {
      const offered = config.php.versions.map((v) => v.version).join(', ');
      issues.push({ path: ['phpVersion'], message: `not offered; this platform has ${offered}` });
    }
  }
  if (input.php === undefined) return issues;
  if (!phpTemplate && input.template !== 'wordpress') {
    issues.push({ path: ['php'], message: 'only for templates php and wordpress' });
    return issues;
  }
  const plan = effectivePlanLimits(limits);
  const bytes: [keyof PhpSettings & ('memoryLimit' | 'uploadMaxFilesize'), string][] = [
    ['memoryLimit', plan.phpMemoryLimit],
    ['uploadMaxFilesize', plan.phpUploadMaxFilesize],
  ];
  for (const [field, max] of bytes) {
    const value = input.php[field];
    if (value !== undefined && phpBytes(value) > phpBytes(max))
      issues.push({ path: ['php', field], message: `at most ${max} on this plan` });
  }
  const seconds = input.php.maxExecutionTime;
  if (seconds !== undefined && seconds > plan.phpMaxExecutionTime)
    issues.push({
      path: ['php', 'maxExecutionTime'],
      message: `at most ${plan.phpMaxExecutionTime} seconds on this plan`,
    });
  return issues;
}

/** The site's php.ini (null when it sets nothing). post_max_size follows upload_max_filesize. */
export function phpIni(settings: PhpSettings | null | undefined): string | null {
  if (!settings) return null;
  const lines: string[] = [];
  if (settings.memoryLimit) lines.push(`memory_limit = ${settings.memoryLimit}`);
  if (settings.uploadMaxFilesize) {
    lines.push(`upload_max_filesize = ${settings.uploadMaxFilesize}`);
    lines.push(`post_max_size = ${settings.uploadMaxFilesize}`);
  }
  if (settings.maxExecutionTime !== undefined)
    lines.push(`max_execution_time = ${settings.maxExecutionTime}`);
  return lines.length > 0 ? `; set by Hostplane from the site's php settings\n${lines.join('\n')}\n` : null;
}

/** nginx's body limit for a php site: the upload limit when above the default 64m. */
export function phpBodyLimit(settings: PhpSettings | null | undefined): string | null {
  const upload = settings?.uploadMaxFilesize;
  if (!upload || phpBytes(upload) <= 64 * 1024 ** 2) return null;
  return upload.toLowerCase();
}
