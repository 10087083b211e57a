import assert from 'node:assert/strict';

import sinon from 'sinon';

import { parseForm } from '../../dist/bitrix24/internal';
import { hostScope, unreachableDoorbell } from '../../dist/runtime/trigger/address-scope';
import { DeliveryWatch, MissingRings } from '../../dist/runtime/trigger/delivery-watch';
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

        /** Advances the fake clock step by step, checking the ticks counted so far after each step. */
        function expectTicks(counted: () => number, steps: [advanceMs: number, ticks: number][]) {
            for (const [advanceMs, ticks] of steps) {
                clock.tick(advanceMs);
                assert.equal(counted(), ticks, `ticks after ${advanceMs} ms more`);
            }
        }

        it('ticks every interval without a reset', () => {
            let ticks = 0;
            const timer = new PollTimer(60, () => ticks++);
            expectTicks(
                () => ticks,
                [
                    [59_999, 0],
                    [1, 1],
                    [120_000, 3],
                ],
            );
            timer.stop();
        });

        it('waits a whole interval again after each reset (a ring)', () => {
            let ticks = 0;
            const timer = new PollTimer(10, () => ticks++);
            clock.tick(9_000);
            timer.reset();
            expectTicks(
                () => ticks,
                [
                    [9_000, 0],
                    [1_000, 1],
                ],
            );
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

    describe('hostScope', () => {
        const cases: [string, string][] = [
            ['http://127.0.0.1:1880', 'loopback'],
            ['http://127.8.9.10', 'loopback'],
            ['http://[::1]:1880', 'loopback'],
            ['http://localhost:1880', 'loopback'],
            ['http://nr.localhost', 'loopback'],
            ['http://10.1.2.3', 'private'],
            ['http://172.20.0.5:1880', 'private'],
            ['http://192.168.1.10', 'private'],
            ['http://169.254.10.1', 'private'],
            ['http://[fd12::1]', 'private'],
            ['http://[::ffff:192.168.0.1]', 'private'],
            ['http://nodered.local:1880', 'private'],
            ['https://172.32.0.1', 'public'],
            ['https://nr.example.com', 'public'],
            ['https://b24-x.bitrix24.com', 'public'],
        ];
        for (const [url, scope] of cases) {
            it(`takes ${url} as ${scope}`, () => {
                assert.equal(hostScope(url), scope);
            });
        }
    });

    describe('unreachableDoorbell', () => {
        it('is true for a loopback, private or .local publicUrl and a portal on the internet', () => {
            for (const url of ['http://127.0.0.1:1880', 'http://192.168.1.10:1880', 'http://nr.local'])
                assert.equal(unreachableDoorbell(url, 'https://b24-x.bitrix24.com'), true, url);
        });

        it('is false when the portal is on this machine or network too', () => {
            assert.equal(unreachableDoorbell('http://127.0.0.1:1880', 'http://127.0.0.1:8080'), false);
            assert.equal(unreachableDoorbell('http://10.0.0.7:1880', 'http://crm.local'), false);
        });

        it('is false for a public publicUrl, and for none', () => {
            assert.equal(unreachableDoorbell('https://nr.example.com', 'https://b24-x.bitrix24.com'), false);
            assert.equal(unreachableDoorbell('', 'https://b24-x.bitrix24.com'), false);
        });
    });

    describe('MissingRings', () => {
        it('says so once, when two polls in a row found rows that no ring announced', () => {
            const watch = new DeliveryWatch();
            const missing = new MissingRings(watch, 0, 0);
            const answers = [];
            for (let poll = 1; poll <= 5; poll++) {
                watch.rowsFound();
                answers.push(missing.poll(poll * 1000));
            }
            assert.deepEqual(answers, [false, true, false, false, false]);
        });

        it('stays quiet while rings come, even when polls also find rows', () => {
            const watch = new DeliveryWatch();
            const missing = new MissingRings(watch, 0, 0);
            for (let poll = 1; poll <= 5; poll++) {
                watch.rang(poll * 1000 - 500);
                watch.rowsFound();
                assert.equal(missing.poll(poll * 1000), false);
            }
        });

        it('stays quiet while polls find nothing', () => {
            const missing = new MissingRings(new DeliveryWatch(), 0, 0);
            for (let poll = 1; poll <= 5; poll++) assert.equal(missing.poll(poll * 1000), false);
        });

        it('does not count rows inside the minTimeout window after a ring, where rings are dropped', () => {
            const watch = new DeliveryWatch();
            const missing = new MissingRings(watch, 60_000, 0);
            watch.rang(500);
            const answers = [];
            for (let poll = 1; poll <= 3; poll++) {
                watch.rowsFound();
                answers.push(missing.poll(poll * 20_000));
            }
            assert.deepEqual(answers, [false, false, false]);
            // The interval from 60 s on starts 59.5 s after the ring, still inside the window.
            for (let poll = 4; poll <= 7; poll++) {
                watch.rowsFound();
                answers.push(missing.poll(poll * 20_000));
            }
            assert.deepEqual(answers, [false, false, false, false, false, true, false]);
        });
    });
});
