import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { probeOk } from './kube-access.ts';
import { ensureKubePki, kubePki } from './kube-pki.ts';

const clientUrl = (ctx: StackContext): string => `https://${STACK_HOST}:${ctx.ports.etcdClient}`;
const peerUrl = (ctx: StackContext): string => `http://${STACK_HOST}:${ctx.ports.etcdPeer}`;

export function etcdArgs(ctx: StackContext): string[] {
  const pki = kubePki(ctx.stateDir);
  const server = pki.cert('etcd-server');
  return [
    'etcd',
    '--name=hostplane',
    `--data-dir=${path.join(ctx.stateDir, 'etcd', 'data')}`,
    `--listen-client-urls=${clientUrl(ctx)}`,
    `--advertise-client-urls=${clientUrl(ctx)}`,
    // One member, so the peer port only ever talks to itself: plain http on loopback.
    `--listen-peer-urls=${peerUrl(ctx)}`,
    `--initial-advertise-peer-urls=${peerUrl(ctx)}`,
    `--initial-cluster=hostplane=${peerUrl(ctx)}`,
    '--initial-cluster-state=new',
    `--cert-file=${server.cert}`,
    `--key-file=${server.key}`,
    `--trusted-ca-file=${pki.caCert}`,
    '--client-cert-auth=true',
    // Keeps the idle footprint small; the apiserver compacts history itself every 5 minutes.
    '--snapshot-count=10000',
    '--quota-backend-bytes=2147483648',
    '--log-level=warn',
  ];
}

export const etcd: Component = {
  name: 'etcd',
  dependsOn: [],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(path.join(ctx.stateDir, 'etcd'), { recursive: true, mode: 0o700 });
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: 'etcd', command: ctx.binaries.localcluster, args: etcdArgs(ctx) }];
  },
  healthy(ctx) {
    return probeOk(ctx.stateDir, `${clientUrl(ctx)}/health`, /"health":\s*"true"/, {
      clientCert: 'apiserver-etcd-client',
    });
  },
  address(ctx) {
    return clientUrl(ctx);
  },
};
