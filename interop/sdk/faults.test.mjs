// Faults seen through the official Wix JavaScript SDK (@wix/dashboard-management, favoriteList):
// each fault the favconform mock can inject (POST /_favconform/faults) arrives in the app as the
// error a real app has to handle — a 429 and a 503 thrown with their status, a dropped connection
// thrown as a network error, another tab's write as the update's conflict — and latency only slows
// the call down.
//
//   FAVCONFORM_URL=http://127.0.0.1:8080 FAVCONFORM_TOKEN_USER=fc-mock-user-a node --test faults.test.mjs
//
// (FAVCONFORM_ADMIN_TOKEN when serve runs with --admin-token.) interop/faults_test.go runs it under
// `go test`. It changes the faults and the user's list of the mock it is pointed at, and removes
// every fault rule when done.
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { favoriteList } from '@wix/dashboard-management';

const baseURL = process.env.FAVCONFORM_URL;
const token = process.env.FAVCONFORM_TOKEN_USER;
if (!baseURL || !token) {
  throw new Error('set FAVCONFORM_URL (the mock, e.g. http://127.0.0.1:8080) and FAVCONFORM_TOKEN_USER (a token it knows; `favconform serve` prints them)');
}
const mockURL = new URL(baseURL);
const adminToken = process.env.FAVCONFORM_ADMIN_TOKEN;

// The client, pointed at the mock through its host (as sample-flow.test.mjs's way 1).
const fl = createClient({
  modules: { favoriteList },
  auth: ApiKeyStrategy({ apiKey: token }),
  host: { apiBaseUrl: mockURL.host },
  fetch: (url, init) => {
    const u = new URL(url);
    u.protocol = mockURL.protocol;
    return fetch(u, init);
  },
}).favoriteList;

// admin calls the mock's admin API.
async function admin(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (adminToken) headers.Authorization = `Bearer ${adminToken}`;
  const res = await fetch(new URL(`/_favconform/${path}`, mockURL), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${method} /_favconform/${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const addFault = (rule) => admin('POST', 'faults', rule);
const myPage = { pageId: '3893d33b-24a1-474b-80b0-dd7c32e20bfb', title: 'My Page' };
const anotherPage = { pageId: '81f1ee0a-92b7-42f7-89cb-8b0f96146dcf', title: 'Another Page', relativeUrl: '/route' };

beforeEach(async () => {
  await admin('DELETE', 'faults');
  await admin('POST', `reset?token=${encodeURIComponent(token)}`);
});
after(async () => {
  await admin('DELETE', 'faults');
});

// What an app does with a 429: back off, then try once more. The SDK's error carries the status
// and the body but not the response headers (err.response is {data, status}), so Retry-After is
// out of an SDK user's reach: the app waits what the header would say when it can read it, and
// a default of 1 s otherwise.
async function withRetryOn429(call) {
  try {
    return await call();
  } catch (err) {
    if (err?.status !== 429) throw err;
    const seconds = Number(err.response?.headers?.get?.('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(seconds, 5) * 1000));
    return call();
  }
}

test('429: the SDK throws the status and RESOURCE_EXHAUSTED, the list is unchanged, a retry after Retry-After goes through', async () => {
  await fl.createUserFavoriteList({ favorites: [myPage] });
  const { faults } = await addFault({ operation: 'addUserFavorite', kind: 'status', status: 429, retryAfter: 1, count: 1 });
  assert.equal(faults[0].id.startsWith('f'), true);
  await assert.rejects(fl.addUserFavorite(anotherPage), (err) => {
    assert.equal(err.status, 429, `the SDK surfaces the status; got ${err.message}`);
    assert.equal(err.details?.applicationError?.code, 'RESOURCE_EXHAUSTED');
    assert.ok(err.details.requestId, 'the request id is read from X-Wix-Request-Id');
    assert.equal(err.response?.status, 429);
    return true;
  });
  const { favoriteList: l } = await fl.getUserFavoriteList();
  assert.equal(l.favorites.length, 1, 'the refused add changed nothing');
  assert.equal(l.revision, '1');
  await addFault({ operation: 'addUserFavorite', kind: 'status', status: 429, retryAfter: 1, count: 1 });
  const added = await withRetryOn429(() => fl.addUserFavorite(anotherPage));
  assert.equal(added.favoriteList.favorites.length, 2, 'the retry added the favorite');
});

test('503 (an empty body, as Wix sends 5xx): the SDK throws with the status', async () => {
  await fl.createUserFavoriteList({ favorites: [myPage] });
  await addFault({ operation: 'getUserFavoriteList', kind: 'status', status: 503, count: 1 });
  await assert.rejects(fl.getUserFavoriteList(), (err) => {
    assert.equal(err.status, 503, `the SDK surfaces the status; got ${err.message}`);
    return true;
  });
  const { favoriteList: l } = await fl.getUserFavoriteList();
  assert.equal(l.favorites.length, 1, 'the next call goes through');
});

test('drop: the SDK throws a network error, with no HTTP status', async () => {
  const created = await fl.createUserFavoriteList({ favorites: [myPage, anotherPage] });
  await addFault({ operation: 'deleteUserFavorite', kind: 'drop', count: 1 });
  await assert.rejects(fl.deleteUserFavorite(created.favorites[0]._id), (err) => {
    assert.ok(err instanceof Error);
    assert.notEqual(typeof err.status, 'number', `a dropped connection has no status; got ${err.status}`);
    assert.equal(err.response, undefined, 'no response came');
    const why = [err.message, err.cause, err.cause?.cause, err.runtimeError, err.runtimeError?.cause].map(String).join(' ');
    assert.match(why, /closed|socket|fetch failed|terminated|ECONNRESET|network|System error/i, `a network error; got ${why}`);
    return true;
  });
  // The call never ran: the favorite is still there, and the next call goes through.
  const { favoriteList: l } = await fl.getUserFavoriteList();
  assert.equal(l.favorites.length, 2);
});

test('concurrent-writer: updateUserFavoriteList throws the conflict; re-read, re-apply, and it goes through', async () => {
  const created = await fl.createUserFavoriteList({ favorites: [myPage] });
  await addFault({ operation: 'updateUserFavoriteList', kind: 'concurrent-writer', count: 1 });
  const rename = (l) => ({ revision: l.revision, favorites: l.favorites.map((f) => ({ ...f, title: f.pageId === myPage.pageId ? 'Renamed' : f.title })) });
  await assert.rejects(fl.updateUserFavoriteList(created._id, rename(created)), (err) => {
    assert.equal(err.status, 409, `the stale revision's conflict; got ${err.message}`);
    assert.equal(err.details?.applicationError?.code, 'ABORTED');
    return true;
  });
  const { favoriteList: now } = await fl.getUserFavoriteList();
  assert.equal(now.revision, '2', 'the other tab wrote first');
  assert.deepEqual(now.favorites.map((f) => f.pageId), [myPage.pageId, 'favconform-other-tab'], "the other tab's favorite is there");
  const updated = await fl.updateUserFavoriteList(now._id, rename(now));
  assert.equal(updated.revision, '3');
  assert.deepEqual(updated.favorites.map((f) => f.title), ['Renamed', 'Added in another tab'], "the app's change, and the other tab's kept");
});

test('latency: the call is slower and still succeeds', async () => {
  await fl.createUserFavoriteList({ favorites: [myPage] });
  await addFault({ operation: '*', kind: 'latency', delay: '300ms', jitter: '50ms', count: 1 });
  const start = performance.now();
  const { favoriteList: l } = await fl.getUserFavoriteList();
  const took = performance.now() - start;
  assert.equal(l.favorites.length, 1);
  assert.ok(took >= 290, `the answer came after ${took.toFixed(0)} ms, want at least 300 ms`);
  const { faults } = await admin('GET', 'faults');
  assert.equal(faults[0].hits, 1);
});
