export * from './poll.ts';
export * from './stack-env.ts';
