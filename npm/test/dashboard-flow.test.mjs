// The docs' sample flow from the dashboard page's side, as an app developer tests it: the page
// (favorites-page.mjs) runs against favconform's double of `@wix/dashboard` and against the
// reference mock through the official SDK. interop/npm_test.go runs it with `node --test` in a
// scratch project where favconform was installed from its tarballs and the SDK is at hand.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { favoriteList } from '@wix/dashboard-management';
import { startMock, createDashboardDouble } from 'favconform';
import { mountFavoritesPage } from './favorites-page.mjs';

const mock = await startMock();
after(() => mock.close());

// The SDK pointed at the mock (README: "Using the official JavaScript SDK against the mock").
function sdk(token) {
  const url = new URL(mock.url);
  return createClient({
    modules: { favoriteList },
    auth: ApiKeyStrategy({ apiKey: token }),
    host: { apiBaseUrl: url.host },
    fetch: (u, init) => {
      const to = new URL(u);
      to.protocol = url.protocol;
      return fetch(to, init);
    },
  });
}

// What the API holds, read without the SDK: 404 (no list) or the list.
async function listOnTheServer() {
  const res = await fetch(`${mock.url}/dashboard/v1/user-favorite-list`, { headers: { Authorization: mock.tokens.user } });
  return res.status === 404 ? null : (await res.json()).favoriteList;
}

// The docs' sample favorite: a page id and navigation parameters.
const sample = { pageId: '3893d33b-9fm4-474b-80b0-dd7c32e20bfc', relativeUrl: '/limited-edition/analytics', title: 'Limited Edition Products Analytics' };

test('the sample flow from the page: add to favorites, toast, button, navigate, remove', async () => {
  await mock.reset();
  const double = createDashboardDouble({ pageId: sample.pageId, pathname: sample.relativeUrl });
  const page = mountFavoritesPage({ dashboard: double.dashboard, favoriteList: sdk(mock.tokens.user).favoriteList, title: sample.title });
  await page.ready;
  assert.equal(page.pageId, sample.pageId, 'the page learns its id from observeState');
  assert.equal(page.button, 'add', 'no list yet: the button offers to add');

  await page.clickAdd();
  const list = await listOnTheServer();
  assert.ok(list, 'the add left a list on the server');
  const held = list.favorites.find((f) => f.pageId === sample.pageId);
  assert.deepEqual({ pageId: held.pageId, relativeUrl: held.relativeUrl, title: held.title }, sample, 'the list holds the page id, its navigation parameters and the title');
  assert.equal(page.favorite._id, held.id, 'the page found its new favorite by id');
  assert.equal(page.button, 'remove', 'the button swapped');
  assert.deepEqual(double.toasts.map((t) => [t.type, t.message]), [['success', `Added "${sample.title}" to your favorites`]]);

  // Navigating to the favorite calls navigate with exactly what the list holds.
  page.open(page.favorite);
  assert.deepEqual(double.navigations, [{ pageId: held.pageId, relativeUrl: held.relativeUrl }]);

  assert.equal(double.leave().defaultPrevented, false, 'nothing under way: leaving is not held back');

  await page.clickRemove();
  const left = await listOnTheServer();
  assert.ok(left === null || left.favorites.length === 0, `removing it empties the list (gone, or with no favorite): ${JSON.stringify(left)}`);
  assert.equal(page.button, 'add');
  assert.deepEqual(double.calls.map((c) => c.fn), ['observeState', 'onBeforeUnload', 'showToast', 'navigate', 'showToast']);
  page.unmount();
});

test('leaving while a save is under way is held back', async () => {
  await mock.reset();
  const double = createDashboardDouble({ pageId: sample.pageId });
  const page = mountFavoritesPage({ dashboard: double.dashboard, favoriteList: sdk(mock.tokens.user).favoriteList, title: 'Held' });
  await page.ready;
  const saving = page.clickAdd();
  assert.equal(double.leave().defaultPrevented, true, 'the page asks to stay while its add is under way');
  await saving;
  assert.equal(double.leave().defaultPrevented, false);
  page.unmount();
});

test('the double refuses what @wix/dashboard declares wrong, and follows the page it shows', () => {
  const double = createDashboardDouble({ pageId: 'a' });
  assert.throws(() => double.dashboard.showToast({ type: 'success' }), /showToast: config.message must be a string/);
  assert.throws(() => double.dashboard.showToast({ message: 'x', type: 'loud' }), /config.type must be one of/);
  assert.throws(() => double.dashboard.navigate({ pageId: 7 }), /navigate: pageId and relativeUrl must be strings/);
  assert.throws(() => double.dashboard.navigate({ pageId: 'p' }, { history: 'back' }), /options.history must be one of/);
  assert.throws(() => createDashboardDouble({ page: 'a' }), /unknown option "page"/);
  const seen = [];
  const { disconnect } = double.dashboard.observeState((params, env) => seen.push([params.location.pageId, env.pageLocation.pageId]));
  double.setLocation({ pageId: 'b' });
  disconnect();
  double.setLocation({ pageId: 'c' });
  assert.deepEqual(seen, [['a', 'a'], ['b', 'b']], 'called at once, on every move, and not after disconnect');
  double.dashboard.navigate('legacy-page-id');
  assert.deepEqual(double.navigations.at(-1), { pageId: 'legacy-page-id' }, 'the deprecated page-id form');
  const t = double.dashboard.showToast({ message: 'bye' });
  t.remove();
  assert.equal(double.toasts.at(-1).removed, true);
});
