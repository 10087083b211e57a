// The farm's public types: what startEmulatorFarm() returns (see src/emulator/farm.ts).
import type { EmulatorControl } from '../control/control-types';
import type { EmulatorOptions } from '../options';
import type { BlockCode, FarmApp } from './app-lifecycle';

export interface FarmOptions extends EmulatorOptions {
    /** How many portals, 1 or more. With `port` set, portal i listens on port + i. */
    portals: number;
}

export interface EmulatorFarm {
    /** The one token server every portal names (token endpoint at oauthServer + '/oauth/token/'). */
    readonly oauthServer: string;
    /** The application, the same on every portal (a Marketplace application). */
    readonly app: FarmApp;
    readonly portals: FarmPortal[];
    /** With `tls`: the self-signed certificate (PEM) of every listener; else null. */
    readonly certificate: string | null;
    portalByMemberId(memberId: string): FarmPortal | undefined;
    /** Closes every listener, timer and outgoing request of every portal. */
    stop(): Promise<void>;
}

export interface FarmPortal {
    readonly index: number;
    /** http://127.0.0.1:<port> */
    readonly portalUrl: string;
    /** 127.0.0.1:<port>, what auth[domain] carries. */
    readonly domain: string;
    readonly memberId: string;
    /** Changes, counters, faults and offline stats of this portal. */
    readonly control: EmulatorControl;
    /**
     * Installs the application (again: a fresh installation with new tokens and a new
     * application token) and POSTs the installation form to `url`; resolves with its HTTP
     * status (0 when it could not be reached).
     */
    install(url: string): Promise<{ status: number }>;
    /** Removes the app: its tokens stop working, ONAPPUNINSTALL goes to its bound handlers. */
    uninstall(options?: { clean?: boolean }): Promise<void>;
    /** A new version: ONAPPUPDATE to its bound handlers, which are then gone (bind again). */
    update(): Promise<void>;
    /** Every REST call of the app answers with this code from now on; undefined: normal. */
    block(code: BlockCode | undefined): void;
    /** The installing user (1) loses (false) or regains administrator rights. */
    setAdmin(isAdmin: boolean): void;
}
