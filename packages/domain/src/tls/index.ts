export * from './certificate-state.ts';
