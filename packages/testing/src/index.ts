// What the local stack writes (its env.json, the repository root), read by the tests: testing reads
// what localstack writes, never the other way round.
export * from '@hostplane/localstack/stack-env';
export * from './databases.ts';
export * from './dns-query.ts';
export * from './poll.ts';
export * from './registry.ts';
export * from './rspamd.ts';
