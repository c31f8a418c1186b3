import { RESERVED_SITE_NAMES } from '../databases/names.ts';
import { WEBMAIL_SERVICE } from './webmail.ts';
// Refuses, at the API's edge, a site that could never run under Pod Security "restricted".

export interface SiteSecurityContextInput {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface SiteRestrictedInput {
  template: string;
  image?: string | null;
  port?: number | null;
  securityContext?: SiteSecurityContextInput;
}

export interface SiteValidationIssue {
  path: (string | number)[];
  message: string;
}

// reference = [registry[:port]/]path[:tag][@digest], lowercase path (distribution/reference grammar).
const IMAGE_REFERENCE =
  /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Official images whose server starts as root (binds port 80, switches user itself). */
const ROOT_ONLY_IMAGES: Record<string, string> = {
  nginx: 'nginxinc/nginx-unprivileged (listens on 8080)',
  httpd: 'a non-root build of httpd listening above 1024',
  wordpress: 'the wordpress template',
  php: 'the php template (for php:*-apache images)',
  caddy: 'a Caddy image configured for a port above 1024',
};

/** "docker.io/library/nginx:1.27" → "nginx"; "ghcr.io/acme/app" → "ghcr.io/acme/app". */
function officialImageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
  return repository.replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
}

function tagOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const colon = withoutDigest.indexOf(':', withoutDigest.lastIndexOf('/') + 1);
  return colon >= 0 ? withoutDigest.slice(colon + 1) : 'latest';
}

function imageIssues(input: SiteRestrictedInput): SiteValidationIssue[] {
  if (input.template !== 'image') return [];
  const issues: SiteValidationIssue[] = [];
  const image = input.image?.trim() ?? '';
  if (image === '') issues.push({ path: ['image'], message: 'template "image" needs an image reference' });
  else if (image.length > 255 || !IMAGE_REFERENCE.test(image)) {
    issues.push({ path: ['image'], message: `not an image reference: ${JSON.stringify(image)}` });
  } else {
    const official = officialImageName(image);
    const apacheVariant = official === 'php' && tagOf(image).includes('apache');
    const instead = ROOT_ONLY_IMAGES[official];
    if (instead && (official !== 'php' || apacheVariant)) {
      issues.push({
        path: ['image'],
        message: `${official} runs as root and cannot meet Pod Security restricted; use ${instead}`,
      });
    }
  }
  const port = input.port;
  if (port === undefined || port === null)
    issues.push({ path: ['port'], message: 'template "image" needs a port' });
  else if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    issues.push({
      path: ['port'],
      message: 'port must be 1024–65535: a non-root container cannot bind below 1024',
    });
  }
  return issues;
}

function securityContextIssues(context: SiteSecurityContextInput | undefined): SiteValidationIssue[] {
  if (!context) return [];
  const at = (field: string, message: string): SiteValidationIssue => ({
    path: ['securityContext', field],
    message,
  });
  const issues: SiteValidationIssue[] = [];
  if (context.runAsUser === 0) issues.push(at('runAsUser', 'running as root (uid 0) is not allowed'));
  if (context.runAsGroup === 0) issues.push(at('runAsGroup', 'running as group 0 is not allowed'));
  if (context.runAsNonRoot === false) issues.push(at('runAsNonRoot', 'containers must run as non-root'));
  if (context.privileged === true) issues.push(at('privileged', 'privileged containers are not allowed'));
  if (context.allowPrivilegeEscalation === true) {
    issues.push(at('allowPrivilegeEscalation', 'privilege escalation is not allowed'));
  }
  const added = context.capabilities?.add ?? [];
  // restricted allows adding NET_BIND_SERVICE only.
  added.forEach((capability, index) => {
    if (capability !== 'NET_BIND_SERVICE') {
      issues.push({
        path: ['securityContext', 'capabilities', 'add', index],
        message: `capability ${capability} is not allowed`,
      });
    }
  });
  return issues;
}

/**
 * Pure check the API runs on a site body before storing it: an empty list means the site can run
 * under Pod Security "restricted"; each issue names the field (for problem+json).
 */
export function validateSiteForRestricted(input: SiteRestrictedInput): SiteValidationIssue[] {
  return [...imageIssues(input), ...securityContextIssues(input.securityContext)];
}

/**
 * Longest site name whose derived names fit Kubernetes: the database StatefulSet `{site}-db` gets
 * a `controller-revision-hash` label `{site}-db-{10 chars}`, and label values stop at 63.
 */
export const SITE_NAME_MAX_LENGTH = 40;

/** The site name as the Kubernetes objects need it (a DNS-1035 label of at most 40 characters). */
export function siteNameIssues(name: string): SiteValidationIssue[] {
  if (name.length > SITE_NAME_MAX_LENGTH) {
    return [{ path: ['name'], message: `at most ${SITE_NAME_MAX_LENGTH} characters` }];
  }
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return [{ path: ['name'], message: 'lowercase letters, digits and "-", starting with a letter' }];
  }
  if (name === WEBMAIL_SERVICE) {
    return [{ path: ['name'], message: `"${name}" is reserved for the platform's webmail` }];
  }
  if (RESERVED_SITE_NAMES.includes(name)) {
    return [{ path: ['name'], message: `"${name}" is reserved for the customer's database server` }];
  }
  return [];
}
