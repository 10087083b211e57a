import assert from 'node:assert/strict';

import sinon from 'sinon';

import { parseForm } from '../../dist/bitrix24/internal';
import { PollTimer } from '../../dist/runtime/trigger/poll-timer';
import { RingVerifier, sameSecret } from '../../dist/runtime/trigger/ring-verifier';

const TOKEN = 'app-token-51856fef0c7a';

/** An ONOFFLINEEVENT call as the portal sends it (docs/bitrix24.md §6). */
function ringBody(auth: Record<string, string>, event = 'ONOFFLINEEVENT'): string {
    const fields = new URLSearchParams({ event, ts: '1466439714' });
    for (const [key, value] of Object.entries(auth)) fields.set(`auth[${key}]`, value);
    return fields.toString();
}

const GENUINE = {
    access_token: 'at-ring-0001112223',
    refresh_token: 'rt-ring-4445556667',
    domain: 'some-domain.bitrix24.com',
    member_id: 'a223c6b3710f85df22e9377d6c4f7553',
    application_token: TOKEN,
};

describe('trigger runtime', () => {
    describe('RingVerifier', () => {
        const verifier = new RingVerifier(() => Promise.resolve(TOKEN));

        it('accepts a ring with the application token and keeps no token in what it gives', async () => {
            const ring = await verifier.verify(parseForm(ringBody(GENUINE)));
            assert.deepEqual(ring, {
                event: 'ONOFFLINEEVENT',
                ts: 1466439714,
                domain: 'some-domain.bitrix24.com',
                member_id: 'a223c6b3710f85df22e9377d6c4f7553',
            });
        });

        const forged: [string, Record<string, string>][] = [
            ['a wrong token', { ...GENUINE, application_token: 'app-token-51856fef0c7b' }],
            ['a longer token', { ...GENUINE, application_token: `${TOKEN}0` }],
            ['an empty token', { ...GENUINE, application_token: '' }],
            ['no token', { domain: GENUINE.domain }],
        ];
        for (const [what, auth] of forged) {
            it(`refuses a ring with ${what}`, async () => {
                assert.equal(await verifier.verify(parseForm(ringBody(auth))), undefined);
            });
        }

        it('refuses another event even with the right token', async () => {
            assert.equal(await verifier.verify(parseForm(ringBody(GENUINE, 'ONCRMDEALUPDATE'))), undefined);
        });

        it('fails closed when no application token is known', async () => {
            for (const expected of [() => Promise.resolve(undefined), () => Promise.resolve('')]) {
                const blind = new RingVerifier(expected);
                assert.equal(await blind.verify(parseForm(ringBody(GENUINE))), undefined);
                assert.equal(await blind.canVerify(), false);
            }
            const broken = new RingVerifier(() => Promise.reject(new Error('no portal')));
            assert.equal(await broken.verify(parseForm(ringBody(GENUINE))), undefined);
        });

        it('compares secrets of any length without throwing', () => {
            assert.equal(sameSecret('a', 'a'), true);
            assert.equal(sameSecret('a', 'ab'), false);
            assert.equal(sameSecret('', TOKEN), false);
        });
    });

    describe('PollTimer', () => {
        let clock: sinon.SinonFakeTimers;
        beforeEach(() => {
            clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
        });
        afterEach(() => clock.restore());

        it('ticks every interval without a reset', () => {
            let ticks = 0;
            const timer = new PollTimer(60, () => ticks++);
            clock.tick(59_999);
            assert.equal(ticks, 0);
            clock.tick(1);
            assert.equal(ticks, 1);
            clock.tick(120_000);
            assert.equal(ticks, 3);
            timer.stop();
        });

        it('waits a whole interval again after each reset (a ring)', () => {
            let ticks = 0;
            const timer = new PollTimer(10, () => ticks++);
            clock.tick(9_000);
            timer.reset();
            clock.tick(9_000);
            assert.equal(ticks, 0);
            clock.tick(1_000);
            assert.equal(ticks, 1);
            timer.stop();
        });

        it('is off at 0 seconds and silent after stop', () => {
            let ticks = 0;
            new PollTimer(0, () => ticks++);
            const stopped = new PollTimer(1, () => ticks++);
            stopped.stop();
            stopped.reset();
            clock.tick(10_000);
            assert.equal(ticks, 0);
        });
    });
});
