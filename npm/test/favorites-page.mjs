// The dashboard page of the docs' sample flow, written as an app writes it: an "Add to Favorites"
// button on a dashboard page. It learns the page it is on from the dashboard (observeState),
// keeps the page in the user's favorite list through the official SDK's favoriteList module, tells
// the user with a toast, swaps the button, and navigates to a favorite with exactly what the list
// holds. dashboard-flow.test.mjs runs it against favconform's dashboard double and mock.
//
// dashboard:    `@wix/dashboard`'s dashboard module (or createDashboardDouble().dashboard)
// favoriteList: the SDK's favoriteList module of a client (`client.favoriteList`)
// title:        the custom title the page gives its favorite
export function mountFavoritesPage({ dashboard, favoriteList, title }) {
  let pending = 0; // writes under way: leaving now would lose them
  let resolveReady;
  const page = {
    pageId: null,
    relativeUrl: undefined,
    favorite: null, // this page's favorite in the list, when it is there
    button: null, // 'add' or 'remove'
    ready: new Promise((resolve) => (resolveReady = resolve)),
  };

  async function currentList() {
    try {
      return (await favoriteList.getUserFavoriteList()).favoriteList;
    } catch (err) {
      if (err?.details?.applicationError?.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async function refresh() {
    const list = await currentList();
    page.favorite = list?.favorites?.find((f) => f.pageId === page.pageId) ?? null;
    page.button = page.favorite ? 'remove' : 'add';
  }

  async function writing(fn) {
    pending++;
    try {
      return await fn();
    } finally {
      pending--;
    }
  }

  const observed = dashboard.observeState((params) => {
    const loc = params.location;
    page.pageId = loc.pageId;
    // The app's navigation parameters: where inside the page the user is.
    const rest = `${loc.pathname === '/' ? '' : loc.pathname}${loc.search ?? ''}${loc.hash ?? ''}`;
    page.relativeUrl = rest === '' ? undefined : rest;
    refresh().then(resolveReady, resolveReady);
  });
  const unload = dashboard.onBeforeUnload((event) => {
    if (pending > 0) event.preventDefault();
  });

  page.clickAdd = () =>
    writing(async () => {
      const favorite = { pageId: page.pageId, title, ...(page.relativeUrl ? { relativeUrl: page.relativeUrl } : {}) };
      const before = await currentList();
      const list = before
        ? (await favoriteList.addUserFavorite(favorite)).favoriteList
        : await favoriteList.createUserFavoriteList({ favorites: [favorite] });
      // The new favorite is the one whose id the list did not hold before (it may be anywhere).
      const had = new Set((before?.favorites ?? []).map((f) => f._id));
      page.favorite = list.favorites.find((f) => !had.has(f._id)) ?? null;
      page.button = 'remove';
      dashboard.showToast({ message: `Added "${title}" to your favorites`, type: 'success' });
    });

  page.clickRemove = () =>
    writing(async () => {
      await favoriteList.deleteUserFavorite(page.favorite._id);
      page.favorite = null;
      page.button = 'add';
      dashboard.showToast({ message: `Removed "${title}" from your favorites` });
    });

  // Opening a favorite from the list: navigate takes a favorite's pageId and relativeUrl as they are.
  page.open = (favorite) => dashboard.navigate({ pageId: favorite.pageId, ...(favorite.relativeUrl ? { relativeUrl: favorite.relativeUrl } : {}) });

  page.unmount = () => {
    observed.disconnect();
    unload.remove();
  };
  return page;
}
