/** The shared store on Redis (design: "Several Node-RED instances"), for the nodes that configure it. */
export { Leases } from './leases';
export { SharedStore, type SharedStoreOptions, type StoreState } from './shared-store';
export { SharedBucket, SharedBudget } from './shared-limits';
export { storeUnreachable } from './store-error';
export type { SharedTokenPair } from '../../auth/shared-tokens';
export type { SharedBucketLink, SharedBudgetLink, SharedLimits } from '../../limits/shared-limits';
