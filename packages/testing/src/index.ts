export * from './stack-env.ts';
