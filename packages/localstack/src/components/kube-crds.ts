import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
} from '@kubernetes/client-node';
import { z } from 'zod';

const FIELD_MANAGER = 'hostplane-localstack';
const ESTABLISHED_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

const crdDocument = z.looseObject({
  apiVersion: z.literal('apiextensions.k8s.io/v1'),
  kind: z.literal('CustomResourceDefinition'),
  metadata: z.looseObject({ name: z.string().min(1) }),
});
export type CrdDocument = z.infer<typeof crdDocument>;

/** Every `*.yaml` / `*.yml` below `dir`, sorted, so the install order is stable. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The CRD documents of one multi-document YAML text; anything else in it is an error, not silently skipped. */
export function parseCrdDocuments(text: string, source: string): CrdDocument[] {
  return loadAllYaml(text)
    .filter((doc: unknown) => doc !== null && doc !== undefined)
    .map((doc: unknown, index: number) => {
      const parsed = crdDocument.safeParse(doc);
      if (!parsed.success) {
        throw new Error(
          `${source}: document ${index + 1} is not a v1 CustomResourceDefinition: ${parsed.error.message}`,
        );
      }
      return parsed.data;
    });
}

/** Server-side applies every CRD found under the folders of `dirs` and waits until each is Established.
 * The first folder that defines a CRD wins: the repository's generated CRDs (pinned with the program
 * that serves them, DESIGN.md §9 "CRDs") come before the ../shared/crds fallback.
 * A missing folder is not an error: the stack runs without those CRDs and says so in one line. */
export async function installCrds(
  kc: KubeConfig,
  dirs: readonly string[],
  say: (line: string) => void,
): Promise<string[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const names: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await listYamlFiles(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      say(`  crds: ${dir} does not exist, no CustomResourceDefinitions installed from it`);
      continue;
    }
    let count = 0;
    for (const file of files) {
      for (const crd of parseCrdDocuments(await readFile(file, 'utf8'), file)) {
        if (names.includes(crd.metadata.name)) continue;
        await objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
        names.push(crd.metadata.name);
        count += 1;
      }
    }
    say(`  crds: ${count} CustomResourceDefinitions from ${files.length} files in ${dir}`);
  }
  await waitEstablished(kc, names);
  return names;
}

export async function isEstablished(api: ApiextensionsV1Api, name: string): Promise<boolean> {
  const crd = await api.readCustomResourceDefinition({ name });
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

async function waitEstablished(kc: KubeConfig, names: string[]): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + ESTABLISHED_TIMEOUT_MS;
  let pending = names;
  while (pending.length > 0) {
    const states = await Promise.all(
      pending.map(async (name) => ((await isEstablished(api, name)) ? null : name)),
    );
    pending = states.filter((name): name is string => name !== null);
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`CRDs not Established after ${ESTABLISHED_TIMEOUT_MS} ms: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
