export * from './dns/index.ts';
export * from './k8s/index.ts';
export * from './mail/index.ts';
export * from './ownership/index.ts';
export * from './plans/index.ts';
export * from './secrets/index.ts';
export * from './sftp/index.ts';
export * from './snapshot.ts';
