import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import helper from 'node-red-node-test-helper';
import sinon from 'sinon';
import supertest from 'supertest';

import { parseForm } from '../../dist/bitrix24/internal';
import portalModule from '../../dist/nodes/bitrix24-portal';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { RingVerifier, sameSecret } from '../../dist/runtime/trigger/ring-verifier';
import { collect, until } from '../helpers/emulator-flow';
import { spies } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';

const EXPECTED = 'apptoken-51856fefc0a2b3d4e5f60718293a4b5c';

/**
 * The application token is a secret compared with what anyone may send. The proof that the
 * comparison cannot leak it by timing is structural (no clock involved, so it cannot flake):
 * the only comparison is crypto.timingSafeEqual, over SHA-256 digests of equal length, for
 * every input. `timing.bench.ts` beside this file prints a measurement for the curious.
 */
describe('security: the application-token comparison is constant-time', () => {
    let timingSafeEqual: sinon.SinonSpy<Parameters<typeof crypto.timingSafeEqual>, boolean>;

    beforeEach(() => {
        timingSafeEqual = sinon.spy(crypto, 'timingSafeEqual');
    });

    afterEach(() => {
        sinon.restore();
    });

    const givens: [string, string][] = [
        ['the token itself', EXPECTED],
        ['a token differing in its first character', `b${EXPECTED.slice(1)}`],
        ['a token differing in its last character', `${EXPECTED.slice(0, -1)}d`],
        ['a prefix of the token', EXPECTED.slice(0, 12)],
        ['the token with more after it', `${EXPECTED}00`],
        ['one character', 'a'],
        ['10 KB', 'x'.repeat(10 * 1024)],
        ['non-ASCII text', 'токен-приложения-ключ'],
    ];
    for (const [what, given] of givens) {
        it(`compares ${what} through timingSafeEqual over two 32-byte digests, never the token`, () => {
            assert.equal(sameSecret(given, EXPECTED), given === EXPECTED);
            assert.equal(timingSafeEqual.callCount, 1);
            const [a, b] = timingSafeEqual.firstCall.args as [Buffer, Buffer];
            assert.equal(a.length, 32);
            assert.equal(b.length, 32);
            for (const buffer of [a, b]) {
                assert.ok(!buffer.includes(Buffer.from(EXPECTED)), 'the token itself is not compared');
            }
        });
    }

    const ringOf = (token: string) =>
        parseForm(`event=ONOFFLINEEVENT&auth[application_token]=${encodeURIComponent(token)}`);

    it('lets timingSafeEqual alone decide: no length check or === comes first', async () => {
        const verifier = new RingVerifier(() => Promise.resolve(EXPECTED));
        sinon.restore();
        const sayEqual = sinon.stub(crypto, 'timingSafeEqual').returns(true);
        assert.ok(await verifier.verify(ringOf('a')), 'a one-character token passes when it says equal');
        assert.ok(await verifier.verify(ringOf(`${EXPECTED}-longer`)));
        sayEqual.returns(false);
        assert.equal(
            await verifier.verify(ringOf(EXPECTED)),
            undefined,
            'the right token fails when it says not',
        );
        assert.equal(sayEqual.callCount, 3);
    });

    it('refuses an empty token without comparing: that early answer tells the sender nothing about the secret', async () => {
        const verifier = new RingVerifier(() => Promise.resolve(EXPECTED));
        assert.equal(await verifier.verify(ringOf('')), undefined);
        assert.equal(timingSafeEqual.callCount, 0);
    });

    describe('through the trigger route', () => {
        const red = captureRed();
        let userDir: string;

        beforeEach(async () => {
            userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-timing-'));
            helper.settings({ userDir });
            await helper.load(
                [portalModule, triggerModule, red.module],
                [
                    { id: 'p1', type: 'bitrix24-portal', portalUrl: 'https://portal.example.com' },
                    { id: 'tab', type: 'tab' },
                    {
                        id: 't1',
                        z: 'tab',
                        type: 'bitrix24-onoffline-trigger',
                        portal: 'p1',
                        pollInterval: 0,
                        wires: [['out']],
                    },
                    { id: 'out', z: 'tab', type: 'helper' },
                ],
                {
                    p1: {
                        clientId: 'local.timing',
                        accessToken: 'at-timing-0001',
                        applicationToken: EXPECTED,
                    },
                },
            );
        });

        afterEach(async () => {
            await helper.unload();
            await fs.rm(userDir, { recursive: true, force: true });
        });

        it('compares a forged ring of another length the same way, and sends nothing', async () => {
            const msgs = collect('out');
            await supertest(red.red.httpNode)
                .post('/bitrix24/onoffline')
                .type('form')
                .send({ event: 'ONOFFLINEEVENT', 'auth[application_token]': 'short' })
                .expect(200);
            const trigger = spies(helper.getNode('t1'));
            await until(
                () =>
                    trigger.status
                        .getCalls()
                        .some((c) => /refused/.test(String((c.args[0] as { text?: string }).text))),
                5000,
                'the refusal',
            );
            assert.equal(timingSafeEqual.callCount, 1);
            assert.deepEqual(
                timingSafeEqual.firstCall.args.map((b) => (b as Buffer).length),
                [32, 32],
            );
            assert.deepEqual(msgs, []);
        });
    });
});
