import type { Component } from '../component.ts';
import { edge } from './edge.ts';
import { kubeComponents } from './kube.ts';
import { mailComponents } from './mail.ts';
import { mariadb } from './mariadb.ts';
import { pdns } from './pdns.ts';
import { pebble } from './pebble.ts';
import { postgres } from './postgres.ts';
import { recursor } from './recursor.ts';
import { registry } from './registry.ts';
import { s3 } from './s3.ts';
import { sftp } from './sftp.ts';

/** Every component of the local stack; the supervisor orders them by dependsOn. */
export const stackComponents: Component[] = [
  postgres,
  mariadb,
  pdns,
  registry,
  recursor,
  ...kubeComponents,
  ...mailComponents,
  s3,
  pebble,
  edge,
  sftp,
];
