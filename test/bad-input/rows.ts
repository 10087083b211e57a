import type { Bench } from '../helpers/emulator-flow';
import type { BadInputRow } from './table';

/** The row of every node that calls the portal: a msg arrives and no portal is configured. */
export const NO_PORTAL_ROW: BadInputRow = {
    what: 'a msg when no portal is configured',
    config: { portal: '' },
    msg: {},
    error: /noPortal/,
};

/** A webhook portal under a node that needs an OAuth application (docs/bitrix24.md §0.1). */
export function webhookPortalRow(bench: Bench, what: string, more: Partial<BadInputRow> = {}): BadInputRow {
    return {
        what,
        portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
        msg: {},
        error: /OAuth/,
        code: 'WRONG_AUTH_TYPE',
        ...more,
    };
}

/** A case of a wrong configuration: what is wrong, the change to the configuration, the error. */
export type ConfigCase = [what: string, config: Record<string, unknown>, error: RegExp];

/** One row per case, each sending an empty msg. */
export function configRows(cases: ConfigCase[]): BadInputRow[] {
    return cases.map(([what, config, error]) => ({ what, config, msg: {}, error }));
}
