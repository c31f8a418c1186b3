export * from './desired.ts';
export * from './guardrails.ts';
export * from './ingress.ts';
export * from './labels.ts';
export * from './quantity.ts';
export type { ContainerResources } from './security.ts';
export * from './types.ts';
export * from './usage.ts';
export * from './validate-site.ts';
