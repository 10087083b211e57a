import { DocumentTokenStore, type TokenDocument } from '../../bitrix24';
import type { DocumentStore } from '../../bitrix24/storage/document-store';
import type { InstallationSummary } from './portal-app';

/** One installation as it is kept between restarts (no token: those have their own document). */
export interface InstallationRecord extends InstallationSummary {
    /** The portal's origin, where its REST calls go. */
    portalUrl: string;
}

interface InstallationsDocument {
    version: 1;
    installations: InstallationRecord[];
}

/**
 * The installations of one application in a DocumentStore: one document lists them all, and each
 * installation's token pair has its own document, encrypted as the token file is.
 */
export class InstallationBook {
    private writing: Promise<void> = Promise.resolve();

    constructor(
        private readonly store: DocumentStore,
        private readonly appId: string,
        private readonly credentialSecret?: string,
    ) {}

    async load(): Promise<InstallationRecord[]> {
        const content = await this.list().read();
        return Array.isArray(content?.installations) ? content.installations.filter(isRecord) : [];
    }

    /** Replaces the list; writes run one after another, the last call's list wins. */
    save(records: InstallationRecord[]): Promise<void> {
        const copy = records.map((record) => ({ ...record }));
        const write = this.writing.then(() => this.list().write({ version: 1, installations: copy }));
        this.writing = write.catch(() => undefined);
        return write;
    }

    /** The token pair of one installation. */
    tokens(memberId: string): DocumentTokenStore {
        return new DocumentTokenStore(
            this.store.document<TokenDocument>(`app-${this.appId}-tokens-${memberId}`),
            this.credentialSecret,
        );
    }

    private list() {
        return this.store.document<InstallationsDocument>(`app-${this.appId}-installations`);
    }
}

function isRecord(value: unknown): value is InstallationRecord {
    const record = value as Partial<InstallationRecord> | null;
    return (
        typeof record?.memberId === 'string' &&
        typeof record.domain === 'string' &&
        typeof record.portalUrl === 'string'
    );
}
