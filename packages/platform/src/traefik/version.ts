// The one Traefik of the platform, locally and in production (DESIGN.md §9 "Images"): built from its
// Go module at this version (v3.7.x cannot be built from the module proxy, ../shared/REAL-NODE.md),
// packaged under the upstream image name with the same tag, and its CRDs generated from the same
// module (packages/platform/generated/crds/). `traefik-version.test.ts` keeps every pin in step.

export const TRAEFIK_MODULE = 'github.com/traefik/traefik/v3';
export const TRAEFIK_VERSION = 'v3.6.12';
/** Upstream's codename of the 3.6 line (its Makefile stamps it into pkg/version). */
export const TRAEFIK_CODENAME = 'ramequin';
/** The upstream image name, same tag: production pulls it, the local node gets the one we build. */
export const TRAEFIK_IMAGE = `docker.io/library/traefik:${TRAEFIK_VERSION}`;
/** The CRD file generated from the module (`npm run generate:crds`), relative to packages/platform. */
export const TRAEFIK_CRD_FILE = `generated/crds/traefik-${TRAEFIK_VERSION}-crds.yaml`;
/** Where the CRDs sit in the module. */
export const TRAEFIK_CRD_SOURCE =
  'docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml';
