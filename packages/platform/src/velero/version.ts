// The one Velero of the platform, locally and in production (DESIGN.md §9 "Images"): the server, its
// node agent and CLI (one binary, cmd/velero) built from the Go module at this version, the AWS
// object-store plugin from its own module, packaged under the upstream image names with the same tags,
// and the CRDs printed by that same binary (`velero install --crds-only`, packages/platform/generated/
// crds/). `velero-version.test.ts` keeps every pin in step.

export const VELERO_MODULE = 'github.com/vmware-tanzu/velero';
export const VELERO_VERSION = 'v1.18.3';
/** The proxy refuses v0.33.12 (what v1.18.3's go.mod asks for) and v0.33.11; v0.33.10 builds. */
export const VELERO_REQUIRES: Readonly<Record<string, string>> = { 'k8s.io/cli-runtime': 'v0.33.10' };
export const VELERO_IMAGE = `docker.io/velero/velero:${VELERO_VERSION}`;

export const VELERO_AWS_PLUGIN_MODULE = 'github.com/vmware-tanzu/velero-plugin-for-aws';
/** The plugin line made for Velero 1.18 (upstream's compatibility matrix: plugin 1.14.x ↔ Velero 1.18.x). */
export const VELERO_AWS_PLUGIN_VERSION = 'v1.14.3';
export const VELERO_AWS_PLUGIN_IMAGE = `docker.io/velero/velero-plugin-for-aws:${VELERO_AWS_PLUGIN_VERSION}`;

/** The CRD file generated from the built binary (`npm run generate:velero-crds`), relative to packages/platform. */
export const VELERO_CRD_FILE = `generated/crds/velero-${VELERO_VERSION}-crds.yaml`;

/** `docker.io/velero/velero:v1.18.3` → `v1.18.3`. */
export function imageTag(image: string): string {
  const tag = image.split('@')[0]?.split(':').at(-1);
  if (!tag) throw new Error(`image without a tag: ${image}`);
  return tag;
}
