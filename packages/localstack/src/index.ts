export {
  backupGoPrograms,
  VERSITYGW_VERSION,
  veleroAwsPluginProgram,
  veleroProgram,
  versitygwProgram,
} from './backup-programs.ts';
export type { Component, ProcessSpec, StackContext, StackSecrets } from './component.ts';
export { CLUSTER_DNS_IP, COREDNS_IMAGE, KUBE_DNS_LABELS } from './components/cluster-dns.ts';
export { importArchiveIntoNode, loadImagesIntoNode } from './components/containerd.ts';
export { edge } from './components/edge.ts';
export { stackComponents } from './components/index.ts';
export { realNodeComponents } from './components/kube.ts';
export {
  REAL_NODE_IP,
  REAL_NODE_NAME,
  REAL_NODE_POD_CIDR,
  SERVICE_CLUSTER_IP_RANGE,
} from './components/kube-pki.ts';
export { LOCAL_STORAGE_CLASS } from './components/local-volumes.ts';
export { mariadb } from './components/mariadb.ts';
export { podS3Endpoint } from './components/node-gateway.ts';
export { acmeTsigKeyFor, pdns } from './components/pdns.ts';
export { postgres } from './components/postgres.ts';
export { DEBIAN_PACKAGES, DEBIAN_SERVICES } from './debian-packages.ts';
export { buildStackEnv, renderExportLines } from './env.ts';
export {
  cachedGoProgram,
  downloadModule,
  ensureGoProgram,
  type GoProgram,
  type GoProgramBuild,
} from './go-program-build.ts';
export {
  COREDNS_VERSION,
  corednsProgram,
  PEBBLE_VERSION,
  pebbleProgram,
  stackGoPrograms,
  traefikProgram,
} from './go-programs.ts';
export {
  type BuiltImage,
  buildImages,
  type CachedImage,
  cachedImages,
  imageRecipes,
  NETTEST_IMAGE,
  packImage,
  sbomPath,
} from './images.ts';
export {
  forgetInCluster,
  type InClusterState,
  inClusterState,
  LOCAL_PEBBLE_HOST,
  LOCAL_STEPS,
  localBootstrapConfigInput,
  localEntryPoints,
  localKubeconfig,
  localMailCaFile,
  localMailTlsSecret,
  localPanelUrl,
  localSftpHostKeyObjects,
  recordInCluster,
  throughNode,
} from './local-bootstrap.ts';
export {
  type BuildRecord,
  checkGo,
  ensureLocalcluster,
  localclusterCacheRoot,
} from './localcluster-build.ts';
export { FAKE_NODE_TAINT, type NodeProfile, nodeProfile } from './node-profile.ts';
export { orderComponents, selectComponents } from './order.ts';
export {
  PANEL_IMAGE_UID,
  platformImageRefs,
  pushArgs,
  STAGED_IMAGE_NAMES,
  skopeo,
} from './platform-images.ts';
export { STACK_HOST, type StackPorts, stackPorts } from './ports.ts';
export { listPidRecords, type PidRecord, processFamily, stillRunning } from './processes.ts';
export { repoRoot, resolveStateDir, statePaths } from './state.ts';
export {
  type ComponentStatus,
  StackComponentError,
  type StackOptions,
  stackDown,
  stackEnv,
  stackStatus,
  stackUp,
  type UpResult,
} from './supervisor.ts';
