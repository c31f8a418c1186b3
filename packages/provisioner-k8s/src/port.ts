import type { CertificateAttempt, KubeObject, ServedCertificate } from '@hostplane/domain';
import type { KindRef } from './kinds.ts';

/** An object as the apiserver returns it; only what we read is typed, the rest stays unknown. */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: { kind: string; name: string; uid: string }[];
    managedFields?: { manager?: string; operation?: string; subresource?: string; fieldsV1?: unknown }[];
    creationTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/** The Kubernetes API as the provisioner uses it (implemented by client/kube-client.ts). */
export interface KubeApi {
  /** Server-side apply, field manager `hostplane`, force. */
  apply(object: KubeObject): Promise<LiveObject>;
  get(kind: KindRef, namespace: string | null, name: string): Promise<LiveObject | null>;
  list(kind: KindRef, namespace: string | null, labelSelector?: string): Promise<LiveObject[]>;
  /** False when the object was already gone. */
  delete(kind: KindRef, namespace: string | null, name: string, options?: DeleteOptions): Promise<boolean>;
  /** SelfSubjectAccessReview: may the caller do `verb` on `resource` in `namespace`? */
  canI(
    verb: string,
    group: string,
    resource: string,
    namespace: string,
    subresource?: string,
  ): Promise<boolean>;
}

/** Answers which addresses a host name resolves to now (A and AAAA, CNAMEs followed). */
export interface HostResolver {
  resolve(host: string): Promise<string[]>;
}

/** The certificate the edge serves for a host now (a TLS handshake, SNI = host); never throws. */
export interface EdgeCertificateProbe {
  served(host: string): Promise<ServedCertificate>;
}

/** Where a customer's ACME attempts are kept between passes (the panel database). */
export interface CertificateAttemptRecords {
  load(customerId: number): Promise<CertificateAttempt[]>;
  /** Writes only what differs from `before`. */
  save(
    customerId: number,
    before: readonly CertificateAttempt[],
    after: readonly CertificateAttempt[],
  ): Promise<number>;
}
