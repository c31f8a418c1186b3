import type { StackPorts } from './ports.ts';

/** Everything a component needs to prepare, start and check itself. */
export interface StackContext {
  /** Absolute state folder, default `<repo>/.hostplane/stack`. Each component owns `<stateDir>/<name>/`. */
  stateDir: string;
  /** Absolute repository root (to find ../shared/crds, packages/platform renderers, …). */
  repoRoot: string;
  ports: StackPorts;
  /** Secrets generated once per stack and persisted in `<stateDir>/secrets.json` (passwords, API keys). */
  secrets: StackSecrets;
  /** Absolute paths of built tools, e.g. the tools/localcluster multi-call binary. */
  binaries: { localcluster: string; versitygw: string; traefik: string; pebble: string; coredns: string };
  /** One line of progress for the person running `stack up`. */
  say: (line: string) => void;
}

export interface StackSecrets {
  postgresPassword: string;
  mariadbRootPassword: string;
  mailDbPassword: string;
  mailDbReadonlyPassword: string;
  pdnsDbPassword: string;
  pdnsApiKey: string;
  /** API key of the TLD registry's PowerDNS (the local internet). */
  registryApiKey: string;
  /** The object store's root secret key (its access key is the fixed S3_ACCESS_KEY of s3.ts). */
  s3SecretKey: string;
  /** Dovecot's doveadm HTTP API (the panel's quota-usage reads). */
  doveadmApiKey: string;
}

/** How to run one long-lived process of a component. The supervisor spawns it detached,
 * records its pid in `<stateDir>/pids/<name>.pid` and sends its output to `<stateDir>/logs/<name>.log`. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this unprivileged system user (created when missing) when the stack runs as root. */
  user?: string;
}

export interface Component {
  /** Stable name used in status output, pid and log files. */
  name: string;
  /** Components that must be healthy before this one starts. */
  dependsOn: string[];
  /** Idempotent one-time setup: directories, initdb, certificates, configuration files. */
  prepare(ctx: StackContext): Promise<void>;
  /** The processes to start (usually one). */
  processes(ctx: StackContext): ProcessSpec[];
  /** True when the component answers on its interface (a real protocol check, not just a pid). */
  healthy(ctx: StackContext): Promise<boolean>;
  /** Idempotent work once healthy: create databases and users, install CRDs, the kwok node, … */
  afterHealthy?(ctx: StackContext): Promise<void>;
  /** `stack down`: runs before this component's processes are stopped (they still run). */
  beforeStop?(ctx: StackContext): Promise<void>;
  /** `stack down`: runs after this component's processes stopped: undo what it changed on the host. */
  afterStop?(ctx: StackContext): Promise<void>;
  /** The address shown in `stack up` / `status`, e.g. `127.0.0.1:25432`. */
  address(ctx: StackContext): string;
}
