export * from './open-snapshot.ts';
export * from './sealed.ts';
