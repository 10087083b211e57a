// A local Bitrix24 portal for tests, the demo and benchmarks: REST with offline events, OAuth,
// webhooks, both rate limits, batch, and a control API. Manual: docs/emulator.md.
export { startEmulator, type Emulator, type EmulatorApp } from './emulator';
export { startEmulatorFarm, type EmulatorFarm, type FarmOptions, type FarmPortal } from './farm';
export type { BlockCode, FarmApp } from './farm/app-lifecycle';
export { timingFromEnv, TIMING_ENV, type EmulatorOptions } from './options';
export type {
    AppStateSpec,
    ClockSpec,
    CounterSnapshot,
    EmulatorControl,
    EmulatorState,
    InstallAppSpec,
    InstalledApp,
    LimitsSpec,
    QueueRowView,
    QuirksSpec,
    TokenPair,
} from './control/control-types';
export type { FaultSettings } from './control/faults';
export type { GeneratorSpec, GeneratorStatus } from './control/generator';
export type { ChangeEntity, ChangeResult, UserChange } from './control/user-change';
export type { BucketSettings, LimitsSetting } from './limits/leaky-bucket';
export { PLANS, type Plan } from './store/features';
