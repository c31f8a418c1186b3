export * from './registry.ts';
export * from './stack-env.ts';
