// The docs' sample flow through the official Wix JavaScript SDK for this API
// (@wix/dashboard-management, module favoriteList), against a favconform reference mock
// (`favconform serve`) or anything else serving the API at FAVCONFORM_URL.
//
//   FAVCONFORM_URL=http://127.0.0.1:8080 FAVCONFORM_TOKEN_USER=fc-mock-user-a node --test sample-flow.test.mjs
//
// interop/sdk_test.go runs it under `go test` (npm ci first), with a validating proxy in front of
// the mock that checks every exchange against the OpenAPI document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { favoriteList } from '@wix/dashboard-management';

const baseURL = process.env.FAVCONFORM_URL;
const token = process.env.FAVCONFORM_TOKEN_USER;
if (!baseURL || !token) {
  throw new Error('set FAVCONFORM_URL (the mock, e.g. http://127.0.0.1:8080) and FAVCONFORM_TOKEN_USER (a token it knows; `favconform serve` prints them)');
}
const mockURL = new URL(baseURL);

// What a user sets to point the SDK at the mock, way 1: the client's host. The SDK then sends
// https://<apiBaseUrl>/_api/dashboard/v1/... (it prefixes /_api for any host but www.wixapis.com),
// always over https, so a fetch that switches to the mock's scheme is needed for an http mock.
function clientViaHost() {
  return createClient({
    modules: { favoriteList },
    auth: ApiKeyStrategy({ apiKey: token }), // Authorization: <token>, raw, as the SDK sends it
    host: { apiBaseUrl: mockURL.host },
    fetch: (url, init) => {
      const u = new URL(url);
      u.protocol = mockURL.protocol;
      return fetch(u, init);
    },
  });
}

// Way 2: keep the default host and send its requests to the mock from fetch. Paths stay
// /dashboard/v1/... (no /_api prefix).
function clientViaFetch() {
  return createClient({
    modules: { favoriteList },
    auth: ApiKeyStrategy({ apiKey: token }),
    fetch: (url, init) => {
      const u = new URL(url);
      assert.equal(u.host, 'www.wixapis.com', 'the SDK calls the public host by default');
      u.protocol = mockURL.protocol;
      u.host = mockURL.host;
      return fetch(u, init);
    },
  });
}

// The docs' own favorites.
const myPage = { pageId: '3893d33b-24a1-474b-80b0-dd7c32e20bfb', title: 'My Page' };
const anotherPage = { pageId: '81f1ee0a-92b7-42f7-89cb-8b0f96146dcf', title: 'Another Page', relativeUrl: '/route' };
const sample = { pageId: '3893d33b-9fm4-474b-80b0-dd7c32e20bfc', relativeUrl: '/limited-edition/analytics', title: 'Limited Edition Products Analytics' };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// rejects expects the SDK to throw the API's error with this application error code.
async function rejects(promise, code, what) {
  await assert.rejects(promise, (err) => {
    assert.equal(err?.details?.applicationError?.code, code, `${what}: the SDK must surface the API's error code; got ${err?.message}`);
    assert.ok(err.details.requestId, `${what}: the SDK reads the request id from X-Wix-Request-Id`);
    return true;
  }, what);
}

// reset deletes the user's list, if there is one, so that each test starts from none (the mock
// may be a long-running `favconform serve`).
async function reset(fl) {
  try {
    const { favoriteList: l } = await fl.getUserFavoriteList();
    await fl.deleteUserFavoriteList(l._id);
  } catch (err) {
    if (err?.details?.applicationError?.code !== 'NOT_FOUND') throw err;
  }
}

async function sampleFlow(fl) {
  await reset(fl);
  // No list yet: the mock answers 404, which the SDK throws (it takes only 200 as success).
  await rejects(fl.getUserFavoriteList(), 'NOT_FOUND', 'get before create');

  const created = await fl.createUserFavoriteList({ favorites: [myPage, anotherPage] });
  assert.match(created._id, GUID, 'the list id is a GUID (the SDK renames id to _id)');
  assert.equal(created.revision, '1', 'revision arrives as a string');
  assert.deepEqual(created.favorites.map((f) => f.title), ['My Page', 'Another Page']);
  assert.equal(created.favorites[1].relativeUrl, '/route');
  for (const f of created.favorites) assert.match(f._id, GUID, 'favorite ids are server-generated GUIDs');
  assert.ok(created._createdDate && created._updatedDate, 'dates are there');

  const got = await fl.getUserFavoriteList();
  assert.equal(got.favoriteList._id, created._id, 'get returns the list');
  assert.equal(got.favoriteList.revision, '1');

  // Update with the current revision (the SDK sends it as a string, and the id in path and body).
  // Pass copies: the SDK renames _id to id in the objects it is given.
  const createdIds = created.favorites.map((f) => f._id);
  const updated = await fl.updateUserFavoriteList(created._id, {
    revision: created.revision,
    favorites: [{ ...created.favorites[0], title: 'My Updated Page' }, { ...created.favorites[1] }],
  });
  assert.equal(updated._id, created._id);
  assert.equal(updated.revision, '2', 'revision +1 on update');
  assert.deepEqual(updated.favorites.map((f) => f._id), createdIds, 'ids kept');
  assert.equal(updated.favorites[0].title, 'My Updated Page');

  // A stale revision is refused, and the list is unchanged.
  await assert.rejects(fl.updateUserFavoriteList(created._id, { revision: '1', favorites: [] }), 'a stale revision is refused');

  // Step 2 of the sample flow: add the page to the favorites.
  const added = await fl.addUserFavorite(sample);
  assert.equal(added.favoriteList.revision, '3');
  assert.equal(added.favoriteList.favorites.length, 3);
  const newFav = added.favoriteList.favorites.find((f) => f.pageId === sample.pageId);
  assert.ok(newFav, 'the added favorite is in the list');
  assert.match(newFav._id, GUID);
  assert.equal(newFav.relativeUrl, sample.relativeUrl);
  assert.equal(newFav.title, sample.title);

  // Step 3: delete it again (the SDK repeats the id as ?favoriteId=).
  const afterDelete = await fl.deleteUserFavorite(newFav._id);
  assert.equal(afterDelete.favoriteList.revision, '4');
  assert.deepEqual(afterDelete.favoriteList.favorites.map((f) => f._id), updated.favorites.map((f) => f._id));

  // Delete the list (the SDK repeats the id as ?favoriteListId=); it returns nothing.
  assert.equal(await fl.deleteUserFavoriteList(created._id), undefined);
  await rejects(fl.getUserFavoriteList(), 'NOT_FOUND', 'get after delete');
}

test('the sample flow through the SDK, pointed at the mock with host.apiBaseUrl (paths under /_api)', async () => {
  await sampleFlow(clientViaHost().favoriteList);
});

test('the sample flow through the SDK, pointed at the mock with fetch alone (plain paths)', async () => {
  await sampleFlow(clientViaFetch().favoriteList);
});

test('add-favorite without a list creates one, and deleting its last favorite deletes it', async () => {
  const fl = clientViaHost().favoriteList;
  await reset(fl);
  const added = await fl.addUserFavorite(myPage);
  assert.equal(added.favoriteList.favorites.length, 1);
  assert.equal(added.favoriteList.revision, '1');
  const last = await fl.deleteUserFavorite(added.favoriteList.favorites[0]._id);
  assert.equal(last.favoriteList.favorites.length, 0);
  await rejects(fl.getUserFavoriteList(), 'NOT_FOUND', 'get after the last favorite went');
});
