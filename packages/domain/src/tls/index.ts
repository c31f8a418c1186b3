export * from './certificate-state.ts';
export * from './acme-attempts.ts';
