export * from './acme-attempts.ts';
export * from './certificate-state.ts';
