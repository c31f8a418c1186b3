import type { PlatformInfo } from '@hostplane/contracts';

/**
 * The PHP versions a site form offers for a template, and the one selected first: a php site any
 * version of the platform (its default first selected); a wordpress site only the versions with a
 * WordPress image (GET /platform `wordpressVersions`). null: no PHP choice (other templates, or a
 * platform with no WordPress image per version, where WordPress runs its pinned image).
 */
export function phpChoice(
  platform: PlatformInfo | undefined,
  template: string,
): { options: { value: string; label: string }[]; selected: string } | null {
  if (!platform) return null;
  const versions =
    template === 'php'
      ? platform.php.versions
      : template === 'wordpress'
        ? platform.php.wordpressVersions
        : [];
  if (versions.length === 0) return null;
  const selected = versions.includes(platform.php.defaultVersion)
    ? platform.php.defaultVersion
    : (versions[versions.length - 1] ?? '');
  return { options: versions.map((v) => ({ value: v, label: `PHP ${v}` })), selected };
}
