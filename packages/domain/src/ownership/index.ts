export * from './names.ts';
export * from './verification.ts';
