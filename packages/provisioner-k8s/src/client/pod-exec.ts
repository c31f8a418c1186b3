// A command's standard streams in a pod, through the pods/exec subresource (a WebSocket with the
// channel protocol; v5 carries stdin's end). The SFTP gateway pipes a client's SFTP channel to
// sftp-server this way (docs/sftp.md): no network path to the pod at all, and the gateway's RBAC
// names the single pod it may exec into. The only other importer of the Kubernetes driver here.
import type { Readable, Writable } from 'node:stream';
import { Exec, KubeConfig } from '@kubernetes/client-node';

export interface PodExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

export interface PodExecSession {
  /** Settles when the command ended: its exit code (null when the connection broke without a status). */
  readonly exited: Promise<number | null>;
  /** Ends the exec connection now (the command then gets EOF or is killed with the connection). */
  close(): void;
}

interface ExecStatus {
  status?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

function exitCodeOf(status: ExecStatus): number {
  if (status.status === 'Success') return 0;
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  return code ? Number(code) : 1;
}

export class KubePodExec {
  constructor(private readonly kc: KubeConfig) {}

  static fromKubeconfigFile(file: string): KubePodExec {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return new KubePodExec(kc);
  }

  /** A bearer token (e.g. a service account's) against the server and CA of a kubeconfig file. */
  static fromToken(kubeconfigFile: string, token: string): KubePodExec {
    const base = new KubeConfig();
    base.loadFromFile(kubeconfigFile);
    const cluster = base.getCurrentCluster();
    if (!cluster) throw new Error(`${kubeconfigFile} has no current cluster`);
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(cluster, { name: 'token', token });
    return new KubePodExec(kc);
  }

  static inCluster(): KubePodExec {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return new KubePodExec(kc);
  }

  /** Starts `command` with stdin from `stdin`; its stdout and stderr are written to the given streams. */
  async open(
    target: PodExecTarget,
    io: { stdin: Readable; stdout: Writable; stderr: Writable },
  ): Promise<PodExecSession> {
    let settle: (code: number | null) => void = () => undefined;
    const exited = new Promise<number | null>((resolve) => {
      settle = resolve;
    });
    const socket = await new Exec(this.kc).exec(
      target.namespace,
      target.pod,
      target.container,
      target.command,
      io.stdout,
      io.stderr,
      io.stdin,
      false,
      (status) => settle(exitCodeOf(status as ExecStatus)),
    );
    socket.addEventListener('close', () => {
      settle(null);
      if (!io.stdout.writableEnded) io.stdout.end();
    });
    return { exited, close: () => socket.close() };
  }
}
