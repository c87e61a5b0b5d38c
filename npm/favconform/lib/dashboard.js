'use strict';
// A test double of the dashboard page module (`@wix/dashboard`'s `dashboard`): the four functions
// the favorites sample flow uses — navigate, showToast, observeState, onBeforeUnload — with the
// signatures of that package's type declarations (1.3.48), recording every call. It runs no
// dashboard: what the real module does beyond its declarations (when observers are called, what
// a toast looks like) is not documented, so the double does the least that fits them, and says
// where it chose (observeState calls a new observer once with the current state).

const TOAST_TYPES = ['standard', 'success', 'warning', 'error'];
const TOAST_TIMEOUTS = ['normal', 'none'];
const TOAST_PRIORITIES = ['low', 'normal', 'high'];
const DISPLAY_MODES = ['auto', 'main', 'overlay'];
const HISTORY = ['push', 'replace'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// expect throws a TypeError naming the declaration a call broke: the double refuses what the
// TypeScript declarations do not allow, so a JavaScript page's mistake shows in its tests.
function expect(ok, fn, what) {
  if (!ok) throw new TypeError(`dashboard double: ${fn}: ${what} (as @wix/dashboard declares it)`);
}

function optionalString(v) {
  return v === undefined || typeof v === 'string';
}

function oneOf(v, values) {
  return v === undefined || values.includes(v);
}

/**
 * createDashboardDouble({pageId, pathname, search, hash, displayMode, language, locale, embedded})
 * returns the double: `dashboard` (the module's shape: navigate, showToast, observeState,
 * onBeforeUnload), `calls` (every call, in order: {fn, args}), `navigations`, `toasts`, and the
 * controls a test drives the page with — `setLocation(location)`, `setState(params, env)`,
 * `leave()`.
 */
function createDashboardDouble(options = {}) {
  expect(isObject(options), 'createDashboardDouble', 'options must be an object');
  const known = ['pageId', 'pathname', 'search', 'hash', 'displayMode', 'language', 'locale', 'embedded'];
  for (const k of Object.keys(options)) {
    expect(known.includes(k), 'createDashboardDouble', `unknown option ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }
  const location = {
    pageId: options.pageId ?? '00000000-0000-0000-0000-000000000000',
    pathname: options.pathname ?? '/',
    ...(options.search !== undefined ? { search: options.search } : {}),
    ...(options.hash !== undefined ? { hash: options.hash } : {}),
  };
  expect(typeof location.pageId === 'string' && typeof location.pathname === 'string', 'createDashboardDouble', 'pageId and pathname must be strings');
  let params = { location, displayMode: options.displayMode ?? 'main' };
  let env = {
    locale: options.locale ?? options.language ?? 'en',
    language: options.language ?? 'en',
    pageLocation: location,
    embedded: options.embedded ?? false,
  };

  const calls = [];
  const navigations = [];
  const toasts = [];
  const observers = new Set();
  const unloadCallbacks = new Set();
  const record = (fn, args) => calls.push({ fn, args: structuredClone(stripFunctions(args)) });

  const dashboard = {
    // navigate(destination | pageId, options?) → void
    navigate(destination, navOptions) {
      record('navigate', [destination, navOptions]);
      let to;
      if (typeof destination === 'string') {
        to = { pageId: destination }; // the deprecated form: a page id alone
      } else {
        expect(isObject(destination), 'navigate', 'the destination must be {pageId?, relativeUrl?, scope?} or a page id');
        expect(optionalString(destination.pageId) && optionalString(destination.relativeUrl), 'navigate', 'pageId and relativeUrl must be strings when given');
        to = { ...destination };
      }
      if (navOptions !== undefined) {
        expect(isObject(navOptions), 'navigate', 'options must be an object');
        expect(oneOf(navOptions.displayMode, DISPLAY_MODES), 'navigate', `options.displayMode must be one of ${DISPLAY_MODES.join(', ')}`);
        expect(oneOf(navOptions.history, HISTORY), 'navigate', `options.history must be one of ${HISTORY.join(', ')}`);
      }
      navigations.push({ ...to, ...(navOptions !== undefined ? { options: { ...navOptions } } : {}) });
    },

    // showToast(config) → {remove()}
    showToast(config) {
      record('showToast', [config]);
      expect(isObject(config), 'showToast', 'the config must be an object');
      expect(typeof config.message === 'string', 'showToast', 'config.message must be a string');
      expect(oneOf(config.type, TOAST_TYPES), 'showToast', `config.type must be one of ${TOAST_TYPES.join(', ')}`);
      expect(oneOf(config.timeout, TOAST_TIMEOUTS), 'showToast', `config.timeout must be one of ${TOAST_TIMEOUTS.join(', ')}`);
      expect(oneOf(config.priority, TOAST_PRIORITIES), 'showToast', `config.priority must be one of ${TOAST_PRIORITIES.join(', ')}`);
      expect(config.details === undefined || config.type === 'error', 'showToast', 'config.details belongs to a toast of type error');
      if (config.action !== undefined) {
        expect(isObject(config.action) && typeof config.action.text === 'string' && typeof config.action.onClick === 'function', 'showToast', 'config.action must be {text, onClick, ...}');
      }
      const toast = { message: config.message, type: config.type ?? 'standard', config, removed: false };
      toasts.push(toast);
      return {
        remove() {
          toast.removed = true;
        },
      };
    },

    // observeState(observer) → {disconnect()}. The double calls a new observer once, at once, with
    // the current state, and again on every setState/setLocation: a choice, since the real
    // module's timing is not documented.
    observeState(observer) {
      record('observeState', [observer]);
      expect(typeof observer === 'function', 'observeState', 'the observer must be a function (params, environmentState) => void');
      observers.add(observer);
      observer(structuredClone(params), structuredClone(env));
      return {
        disconnect() {
          observers.delete(observer);
        },
      };
    },

    // onBeforeUnload(callback) → {remove()}
    onBeforeUnload(callback) {
      record('onBeforeUnload', [callback]);
      expect(typeof callback === 'function', 'onBeforeUnload', 'the callback must be a function (event) => void');
      unloadCallbacks.add(callback);
      return {
        remove() {
          unloadCallbacks.delete(callback);
        },
      };
    },
  };

  const notify = () => {
    for (const o of [...observers]) o(structuredClone(params), structuredClone(env));
  };

  return {
    dashboard,
    calls,
    navigations,
    toasts,
    /** The page the dashboard shows now: {pageId, pathname, search?, hash?}. */
    get location() {
      return structuredClone(params.location);
    },
    /** Moves the dashboard to another page (location fields merged) and tells every observer. */
    setLocation(next) {
      expect(isObject(next), 'setLocation', 'the location must be an object');
      const loc = { ...params.location, ...next };
      params = { ...params, location: loc };
      env = { ...env, pageLocation: loc };
      notify();
    },
    /** Replaces the params and/or the environment state observers get, and tells them. */
    setState(nextParams, nextEnv) {
      if (nextParams !== undefined) params = { ...params, ...nextParams };
      if (nextEnv !== undefined) env = { ...env, ...nextEnv };
      notify();
    },
    /**
     * The user leaves the page: every onBeforeUnload callback gets a cancelable `beforeunload`
     * Event, which leave() returns (`event.defaultPrevented`: a callback asked to stay).
     */
    leave() {
      const event = new Event('beforeunload', { cancelable: true });
      for (const cb of [...unloadCallbacks]) cb(event);
      return event;
    },
  };
}

// stripFunctions replaces functions (observers, callbacks, a toast's onClick) with '[function]'
// so that a call's arguments can be kept as a plain copy.
function stripFunctions(v) {
  if (typeof v === 'function') return '[function]';
  if (Array.isArray(v)) return v.map(stripFunctions);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripFunctions(x)]));
  return v;
}

module.exports = { createDashboardDouble };
