export * from './errors';
export * from './portal-url';
