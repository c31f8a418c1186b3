import { TRAEFIK_IMAGE } from '@hostplane/platform';

// The image of the edge for the real node (DESIGN.md §9 "Images"): a minimal Debian root file system
// with CA certificates and the traefik binary built from the pinned module (go-programs.ts), under the
// upstream name and tag production pulls. The recipe is plain data in the images builder's shape
// (mmdebstrap customize hook with the root as $R), ready for `hostplane images build`.

/** Traefik's uid in the pod (restrictedPod(65532) in packages/platform's ingress-system). */
export const TRAEFIK_IMAGE_UID = 65532;

export interface EdgeImageRecipe {
  kind: 'debian';
  name: 'traefik';
  ref: string;
  variant: 'essential';
  packages: string[];
  customize: string;
  config: { entrypoint: string[]; user: string; exposedPorts: string[] };
}

/** `binary`: the cached traefik of ensureGoProgram(traefikProgram); its path carries the build's hash. */
export function traefikImageRecipe(binary: string): EdgeImageRecipe {
  if (!/^\/[\w./@+-]+$/.test(binary))
    throw new Error(`traefik binary path must be absolute and plain: ${binary}`);
  const uid = TRAEFIK_IMAGE_UID;
  return {
    kind: 'debian',
    name: 'traefik',
    ref: TRAEFIK_IMAGE,
    variant: 'essential',
    // Let's Encrypt and every other ACME CA is reached over HTTPS; tzdata for log timestamps.
    packages: ['ca-certificates', 'tzdata'],
    customize: [
      `install -m 0755 '${binary}' "$R/usr/local/bin/traefik"`,
      `grep -q '^traefik:' "$R/etc/passwd" || echo 'traefik:x:${uid}:${uid}:traefik:/nonexistent:/usr/sbin/nologin' >> "$R/etc/passwd"`,
      `grep -q '^traefik:' "$R/etc/group" || echo 'traefik:x:${uid}:' >> "$R/etc/group"`,
      'mkdir -p "$R/etc/traefik" "$R/data"',
    ].join('\n'),
    config: {
      entrypoint: ['/usr/local/bin/traefik'],
      user: `${uid}:${uid}`,
      exposedPorts: ['8000/tcp', '8443/tcp', '9100/tcp'],
    },
  };
}
