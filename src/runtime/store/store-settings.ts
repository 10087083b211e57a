import { invalidConfig } from '../../bitrix24';

/** A `bitrix24-store` node's settings, resolved (env variables read) but not yet checked. */
export interface StoreSettingsInput {
    url: string;
    password?: string;
    prefix: string;
    instance: string;
    leaseSeconds: number;
}

export type StoreSettings = StoreSettingsInput;

/** Shorter leases make a heartbeat of a few hundred milliseconds: more load than they are worth. */
const MIN_LEASE_SECONDS = 2;

/**
 * Checks a store's settings; a bad one is refused with what to change (INVALID_CONFIG, reason
 * `store-…`), and nothing connects.
 */
export function checkStoreSettings(input: StoreSettingsInput): StoreSettings {
    const url = input.url.trim();
    let protocol = '';
    try {
        protocol = new URL(url).protocol;
    } catch {
        // reported below
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
        throw invalidConfig(
            'url',
            'store-url',
            'the store URL must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379/0',
        );
    }
    if (!input.prefix.trim()) {
        throw invalidConfig('prefix', 'store-prefix', 'the key prefix must not be empty, e.g. b24:');
    }
    const instance = input.instance.trim();
    if (!instance) {
        throw invalidConfig(
            'instance',
            'store-instance',
            "the instance name is empty; set it or leave the host's name",
        );
    }
    if (!Number.isFinite(input.leaseSeconds) || input.leaseSeconds < MIN_LEASE_SECONDS) {
        throw invalidConfig(
            'leaseSeconds',
            'store-lease',
            `the lease must last at least ${MIN_LEASE_SECONDS} seconds`,
            { min: String(MIN_LEASE_SECONDS) },
        );
    }
    return { ...input, url, prefix: input.prefix.trim(), instance };
}
