// app.info, feature.get, user.admin and profile (per source CRestProvider).
import { changeKeyCase, strval, type PhpArray } from '../php/values';
import { isAdmin, ok, type CallContext, type MethodResult } from '../rest/context';
import { accessDenied, RestError } from '../rest/errors';
import type { Plan } from '../store/features';

interface License {
    name: string;
    type: string;
    family: string;
}

/** app.info's LICENSE fields per plan (cloud license codes; the free plan is "project"). */
const LICENSES: Record<Plan, License> = {
    free: { name: 'en_project', type: 'project', family: 'project' },
    basic: { name: 'en_basic', type: 'basic', family: 'basic' },
    standard: { name: 'en_std', type: 'std', family: 'std' },
    professional: { name: 'en_pro100', type: 'pro100', family: 'pro' },
    enterprise: { name: 'en_ent250', type: 'ent250', family: 'ent' },
};

function license(ctx: CallContext): License {
    return LICENSES[ctx.portal.features.plan];
}

export function appInfo(_query: PhpArray, ctx: CallContext): MethodResult {
    const plan = license(ctx);
    const app = ctx.auth.app;
    if (app) {
        return ok({
            ID: app.id,
            CODE: app.clientId,
            VERSION: app.version,
            STATUS: app.status,
            INSTALLED: app.installed,
            PAYMENT_EXPIRED: 'N',
            DAYS: null,
            LANGUAGE_ID: 'en',
            LICENSE: plan.name,
            LICENSE_TYPE: plan.type,
            LICENSE_FAMILY: plan.family,
        });
    }
    if (ctx.auth.passwordId !== null) return ok({ SCOPE: ctx.auth.scope, LICENSE: plan.name });
    throw accessDenied('Application context required');
}

/**
 * feature.get (https://apidocs.bitrix24.com/api-reference/common/system/feature-get.html):
 * `{value: 'Y'|'N'}`; the code is not checked, so an unknown one may answer 'Y'. A self-hosted
 * portal without the feature check answers `<language>_selfhosted`.
 */
export function featureGet(query: PhpArray, ctx: CallContext): MethodResult {
    const code = strval(changeKeyCase(query, 'upper').get('CODE'));
    if (code === '' || code === '0') throw new RestError('CODE_EMPTY', "CODE can't be empty");
    if (ctx.portal.selfHosted) return ok({ value: 'en_selfhosted' });
    return ok({ value: ctx.portal.features.isEnabled(code) ? 'Y' : 'N' });
}

export function userAdmin(_query: PhpArray, ctx: CallContext): MethodResult {
    return ok(isAdmin(ctx));
}

export function profile(_query: PhpArray, ctx: CallContext): MethodResult {
    const user = ctx.portal.users.get(ctx.auth.userId);
    if (!user) throw accessDenied('User authorization required');
    return ok({
        ID: String(user.id),
        ADMIN: user.admin,
        NAME: user.name,
        LAST_NAME: user.lastName,
        PERSONAL_GENDER: '',
        TIME_ZONE: '',
        TIME_ZONE_OFFSET: ctx.portal.info.offsetMinutes * 60,
    });
}
