import { Bitrix24Error, isBitrix24Error, type Bitrix24Client, type PlanFeature } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/** What a node is about to do that a plan may not allow (docs/bitrix24.md §0.4, §0.5). */
export interface FeatureUse {
    /** Reserve mode: `event.offline.get` with `clear=0` needs `rest_offline_extended`. */
    reserve?: boolean;
    /** The auth_connector its calls carry, if any: it needs `rest_auth_connector`. */
    connector?: string;
}

/** The plan features a node's calls need. */
export function featuresFor(use: FeatureUse): PlanFeature[] {
    const features: PlanFeature[] = [];
    if (use.reserve) features.push('rest_offline_extended');
    if (use.connector) features.push('rest_auth_connector');
    return features;
}

/**
 * Answers of `feature.get` that mean the portal cannot tell (an old on-premise build without the
 * method, a token without its scope): the calls themselves decide then.
 */
const CANNOT_TELL = new Set(['ERROR_METHOD_NOT_FOUND', 'insufficient_scope']);

/**
 * Which plan features a portal has, asked with `feature.get {CODE}` (answer `{value: "Y"|"N"}`,
 * https://apidocs.bitrix24.com/api-reference/common/system/feature-get.html) once per feature
 * for the life of the portal connection, and only for the features a node needs. A missing
 * feature stops the node with the WRONG_LICENSE the portal would give every call that uses it,
 * before any such call: nothing falls back to another mode behind the user's back.
 */
export class PlanFeatures {
    private readonly answers = new Map<PlanFeature, Promise<boolean>>();

    async require(client: Bitrix24Client, features: readonly PlanFeature[]): Promise<void> {
        const enabled = await Promise.all(features.map((feature) => this.enabled(client, feature)));
        const missing = features.find((_feature, i) => !enabled[i]);
        if (missing) throw featureMissing(missing);
    }

    private enabled(client: Bitrix24Client, feature: PlanFeature): Promise<boolean> {
        let answer = this.answers.get(feature);
        if (!answer) {
            answer = ask(client, feature);
            this.answers.set(feature, answer);
            // A failed question (network, tokens) is asked again by the next request.
            answer.catch(() => this.answers.delete(feature));
        }
        return answer;
    }
}

async function ask(client: Bitrix24Client, feature: PlanFeature): Promise<boolean> {
    try {
        const { result } = await client.call('feature.get', { CODE: feature });
        return isObject(result) && result.value === 'Y';
    } catch (err) {
        if (isBitrix24Error(err) && CANNOT_TELL.has(err.code)) return true;
        throw err;
    }
}

/** The error a node stops with; its text (`errors.license.<feature>`) names the plan and the choice. */
export function featureMissing(feature: PlanFeature): Bitrix24Error {
    return new Bitrix24Error({
        code: 'WRONG_LICENSE',
        status: 403,
        feature,
        description: `feature.get says ${feature} is off on this portal`,
    });
}
