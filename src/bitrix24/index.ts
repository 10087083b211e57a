/**
 * The package's public API (package.json `main`): the Bitrix24 client and what its users need.
 * Helpers the nodes share with it live in `./internal`, which is not API.
 */
export { DocumentTokenStore, FileTokenStore, type TokenDocument } from './auth/file-token-store';
export * from './auth/oauth-auth';
export * from './auth/tokens';
export * from './batch';
export * from './client';
export type { RequestOutcome } from './dispatcher';
export type { RestResponse, RestTime } from './envelope';
export * from './errors';
export * from './limits/leaky-bucket';
export * from './limits/portal-limiter';
export * from './methods';
export * from './portal-url';
export { encodeQuery, isQueryEncodable, type QueryValue } from './query-string';
export * from './redact';
export { isTransient } from './retry';
export * from './offline';
