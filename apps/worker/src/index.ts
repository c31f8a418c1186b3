export * from './pool-liveness.ts';
export * from './start-worker.ts';
