// The favconform npm package as a JavaScript user has it: installed into a project, imported by
// name, starting the reference mock for a node:test file. interop/npm_test.go copies this file
// into a scratch project where favconform was installed from its tarballs, and runs it with
// `node --test`. SAMPLE_FLOW names interop/sdk/sample-flow.test.mjs: the docs' sample flow through
// the official SDK, which runs here against the mock startMock started.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startMock, binaryPath } from 'favconform';

const require = createRequire(import.meta.url);
const listPath = '/dashboard/v1/user-favorite-list';

// The SDK's sample flow, against a mock started here (its tests run in this file's run).
const sdkMock = await startMock();
after(() => sdkMock.close());
if (process.env.SAMPLE_FLOW) {
  process.env.FAVCONFORM_URL = sdkMock.url;
  process.env.FAVCONFORM_TOKEN_USER = sdkMock.tokens.user;
  await import(pathToFileURL(process.env.SAMPLE_FLOW).href);
}

async function call(mock, method, path, body, token = mock.tokens.user) {
  const res = await fetch(mock.url + path, {
    method,
    headers: { Authorization: token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test('startMock: a mock on loopback, its admin URL and the tokens of every role', async () => {
  const mock = await startMock();
  try {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
    assert.equal(mock.adminURL, `${mock.url}/_favconform/`);
    for (const role of ['user', 'second-user', 'user-without-permission', 'app']) {
      assert.equal(typeof mock.tokens[role], 'string', `a token for ${role}`);
    }
    const who = await (await fetch(`${mock.adminURL}mock`)).json();
    assert.equal(who.favconformMock, true);
    assert.equal((await call(mock, 'GET', listPath)).status, 404, 'no list yet');
    const created = await call(mock, 'POST', listPath, { favoriteList: { favorites: [{ pageId: 'p', title: 'My Page' }] } });
    assert.equal(created.status, 200);
    assert.equal(created.body.favoriteList.revision, '1');
  } finally {
    await mock.close();
  }
});

test('reset() forgets every list', async () => {
  const mock = await startMock();
  try {
    assert.equal((await call(mock, 'POST', listPath, { favoriteList: { favorites: [] } })).status, 200);
    assert.equal((await call(mock, 'GET', listPath)).status, 200);
    await mock.reset();
    assert.equal((await call(mock, 'GET', listPath)).status, 404, 'the list is gone after reset()');
  } finally {
    await mock.close();
  }
});

test('reset({role}), state(), setState() and requests(): the admin API from JavaScript', async () => {
  const mock = await startMock();
  try {
    const seeded = await mock.setState({ lists: [
      { role: 'user', favoriteList: { favorites: [{ pageId: 'p1', title: 'Seeded' }] } },
      { role: 'second-user', favoriteList: { favorites: [{ pageId: 'p2', title: 'Other' }] } },
    ] });
    assert.equal(seeded.lists.length, 2);
    const got = await call(mock, 'GET', listPath);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.favoriteList.favorites.map((f) => f.title), ['Seeded'], 'the seeded list is what the API answers');
    await mock.reset({ role: 'user' });
    const left = await mock.state();
    assert.deepEqual(left.lists.map((l) => l.role), ['second-user'], 'reset({role}) forgot the user\'s list only');
    await assert.rejects(mock.reset({ role: 'nobody' }), /answered 400: .*nobody/);
    await assert.rejects(mock.reset({ who: 'x' }), /unknown option "who"/);
    await assert.rejects(mock.setState({ lists: [{ role: 'user', favoriteList: { revision: 'one' } }] }), /answered 400: lists\[0\]\.favoriteList\.revision/);

    await mock.clearRequests();
    await call(mock, 'POST', `${listPath}/add-favorite`, { favorite: { pageId: 'p3', title: 'Added' } });
    const journal = await mock.requests();
    assert.equal(journal.length, 1);
    assert.equal(journal[0].operationId, 'addUserFavorite');
    assert.equal(journal[0].role, 'user');
    assert.deepEqual(journal[0].body, { favorite: { pageId: 'p3', title: 'Added' } });
    assert.deepEqual(journal[0].violations, [], 'the mock answered as the spec says');
    assert.ok(!JSON.stringify(journal).includes(mock.tokens.user), 'no token in the journal');
  } finally {
    await mock.close();
  }
});

test('deviations and readings reach the mock', async () => {
  const mock = await startMock({ deviations: ['revision-as-number'], readings: ['get-missing-200-empty'] });
  try {
    const who = await (await fetch(`${mock.adminURL}mock`)).json();
    assert.deepEqual(who.deviations, ['revision-as-number']);
    assert.deepEqual(who.readings, ['get-missing-200-empty']);
    const created = await call(mock, 'POST', listPath, { favoriteList: { favorites: [] } });
    assert.equal(typeof created.body.favoriteList.revision, 'number', 'the deviation sends revision as a number');
  } finally {
    await mock.close();
  }
});

test('webhookUrl: the public key that verifies the deliveries', async () => {
  const mock = await startMock({ webhookUrl: 'http://127.0.0.1:9/events' });
  try {
    assert.match(mock.publicKey, /^-----BEGIN (RSA )?PUBLIC KEY-----/);
    assert.equal(createPublicKey(mock.publicKey).asymmetricKeyType, 'rsa');
  } finally {
    await mock.close();
  }
});

test('pool: n accounts of every role', async () => {
  const mock = await startMock({ pool: 3 });
  try {
    assert.equal(mock.pool, 3);
  } finally {
    await mock.close();
  }
});

test("args: ['-v'] and log: each API call with its validation result", async () => {
  const lines = [];
  const mock = await startMock({ args: ['-v'], log: (line, stream) => lines.push({ line, stream }) });
  try {
    assert.equal((await call(mock, 'GET', listPath)).status, 404);
    const tooLong = { favorite: { pageId: 'p', title: 'x'.repeat(41) } };
    assert.equal((await call(mock, 'POST', `${listPath}/add-favorite`, tooLong)).status, 400);
    for (let i = 0; i < 100 && lines.filter((l) => l.line.includes('favconform serve: #')).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const calls = lines.filter((l) => l.line.includes('favconform serve: #'));
    assert.equal(calls.length, 2, JSON.stringify(lines));
    assert.equal(calls[0].stream, 'stderr');
    assert.match(calls[0].line, /GET \/dashboard\/v1\/user-favorite-list \(user\) → 404 getUserFavoriteList: conforms$/);
    assert.match(calls[1].line, /→ 400 addUserFavorite: 1 violation: request \/favorite\/title: /);
    assert.ok(!lines.some((l) => l.line.includes(mock.tokens.user) && l.line.includes('favconform serve: #')), 'a token in a log line');
  } finally {
    await mock.close();
  }
});

test('an option serve refuses rejects with its message', async () => {
  await assert.rejects(startMock({ deviations: ['no-such-deviation'] }), /no-such-deviation/);
  await assert.rejects(startMock({ deviation: ['revision-as-number'] }), /unknown option "deviation"/);
});

test('close() stops the mock', async () => {
  const mock = await startMock();
  await mock.close();
  assert.throws(() => process.kill(mock.pid, 0), { code: 'ESRCH' }, 'the process is gone');
  await assert.rejects(fetch(mock.url + listPath), 'nothing listens any more');
  await mock.close(); // again: a no-op
  await assert.rejects(mock.reset(), /after the mock ended/);
});

test('the same API through require()', () => {
  const api = require('favconform');
  assert.equal(api.startMock, startMock);
  assert.equal(typeof api.binaryPath(), 'string');
  assert.equal(api.binaryPath(), binaryPath());
});
