import { EventEmitter } from 'node:events';

/** What is done with rows of a reservation: `all`, or these MESSAGE_IDs. */
export type RowSelection = readonly string[] | 'all';

/** A get node's side of a reservation, as the clear and error nodes reach it. */
export interface ReservationOwner {
    /** A clear or error call for these rows is on its way. */
    settling(processId: string, rows: RowSelection): void;
    /** It succeeded: the rows are gone from the reservation. */
    settled(processId: string, rows: RowSelection): void;
    /** It failed: the rows are still reserved and will be delivered again. */
    unsettled(processId: string, rows: RowSelection): void;
    /** Rows neither confirmed nor on their way; undefined when the reservation is not known. */
    remaining(processId: string): string[] | undefined;
    /** Which queue the reservation was read from. */
    queueOf(processId: string): 'normal' | 'error' | undefined;
    /** Resolves when the owner's ledger is loaded. */
    readonly loaded: Promise<void>;
}

/**
 * Which get node holds which reservation, across the runtime, so that a clear or error node
 * anywhere in the flows can tell it what was confirmed (issue 4), and so that a start-up scan
 * for orphaned reservations leaves alone the ones another get node knows.
 */
export class ReservationRegistry extends EventEmitter<{ progress: [string] }> {
    private readonly owners = new Map<string, ReservationOwner>();
    private readonly members = new Set<ReservationOwner>();

    join(owner: ReservationOwner): void {
        this.members.add(owner);
    }

    leave(owner: ReservationOwner): void {
        this.members.delete(owner);
        for (const [processId, holder] of this.owners) if (holder === owner) this.owners.delete(processId);
    }

    /** Only members may hold reservations: a get node that has left keeps none. */
    claim(processId: string, owner: ReservationOwner): void {
        if (this.members.has(owner)) this.owners.set(processId, owner);
    }

    release(processId: string): void {
        this.owners.delete(processId);
    }

    ownerOf(processId: string): ReservationOwner | undefined {
        return this.owners.get(processId);
    }

    /** Every member's ledger is loaded, so `ownerOf` knows all reservations of this runtime. */
    async allLoaded(): Promise<void> {
        await Promise.all([...this.members].map((m) => m.loaded.catch(() => undefined)));
    }

    settling(processId: string, rows: RowSelection): void {
        this.owners.get(processId)?.settling(processId, rows);
        this.emit('progress', processId);
    }

    settled(processId: string, rows: RowSelection): void {
        this.owners.get(processId)?.settled(processId, rows);
        this.emit('progress', processId);
    }

    unsettled(processId: string, rows: RowSelection): void {
        this.owners.get(processId)?.unsettled(processId, rows);
        this.emit('progress', processId);
    }
}

/** The one registry of the runtime (all flows of one Node-RED process). */
export const reservations = new ReservationRegistry();
reservations.setMaxListeners(0);

/**
 * The registry of one installation of a multi-portal application: a process_id names a reservation
 * of one portal's queue only, so two portals' reservations must never meet in one registry.
 */
const perInstallation = new Map<string, ReservationRegistry>();

/** The registry of `memberId`'s installation; the runtime's one without a member_id (one portal). */
export function registryOf(memberId?: string): ReservationRegistry {
    if (memberId === undefined) return reservations;
    let registry = perInstallation.get(memberId);
    if (!registry) {
        registry = new ReservationRegistry();
        registry.setMaxListeners(0);
        perInstallation.set(memberId, registry);
    }
    return registry;
}
