// Type declarations of favconform's JavaScript API (index.js, index.mjs).

/** Options of {@link startMock}. Every one is optional. */
export interface StartMockOptions {
  /**
   * Deviations to switch on: the mock then breaks one documented rule on purpose, to see that the
   * code under test notices (`favconform serve --list-deviations`), e.g. `['revision-as-number']`.
   */
  deviations?: string[];
  /**
   * Readings to switch on: another legitimate reading of a point the docs leave open
   * (`favconform serve --list-readings`), e.g. `['get-missing-200-empty']`.
   */
  readings?: string[];
  /** Receiver URL(s) the mock delivers its webhook events to (JWTs signed RS256 with {@link Mock.publicKey}'s key). */
  webhookUrl?: string | string[];
  /** How many accounts of every role the mock knows (`favconform serve --pool N`). */
  pool?: number;
  /** The favconform binary to run (default: this platform's package's, or $FAVCONFORM_BINARY_PATH). */
  binary?: string;
  /** More flags for `favconform serve`. */
  args?: string[];
  /** Environment variables for the mock, added to this process's. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the mock to listen, in milliseconds (default 30000). */
  timeout?: number;
  /**
   * Receives every line the mock prints after it started (webhook deliveries, ...); with
   * `args: ['-v']`, also one line per API call with its validation result, on stderr.
   */
  log?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The callers' tokens, sent raw as the Authorization header, by role. */
export interface Tokens {
  /** A Wix user holding Manage Dashboard. */
  user: string;
  /** Every other role the mock knows: 'second-user', 'user-without-permission', 'app', ... */
  [role: string]: string;
}

/** The line `favconform serve --ready-json` prints first once it listens. */
export interface ReadyLine {
  url: string;
  adminURL: string;
  tokens: Tokens;
  /** Every account of every role, by role (the first is tokens[role]); several with `pool`. */
  accounts?: Record<string, string[]>;
  publicKeyPEM?: string;
  pool?: number;
  [field: string]: unknown;
}

/** A favorite as the API's JSON has it. */
export interface FavoriteJSON {
  id?: string;
  pageId?: string;
  title?: string;
  relativeUrl?: string;
}

/** A favorite list as the API's JSON has it. */
export interface FavoriteListJSON {
  id?: string;
  revision?: string;
  createdDate?: string;
  updatedDate?: string;
  favorites?: FavoriteJSON[];
}

/** The mock's lists (spec/admin.yaml): each owned by the identity named by role or token. */
export interface MockState {
  lists: { role?: string; token?: string; favoriteList: FavoriteListJSON }[];
}

/** One API call of the mock's journal (spec/admin.yaml). No token appears in it. */
export interface JournalEntry {
  time: string;
  method: string;
  path: string;
  query: string;
  role: string;
  operationId: string;
  /** The answer's status; 0 when a drop fault closed the connection without one. */
  status: number;
  body?: unknown;
  bodyTruncated?: boolean;
  violations: { in: string; pointer: string; message: string; expected?: string; got?: string }[];
  notValidated?: string;
}

/** A running reference mock. */
export interface Mock {
  /** Its base URL, e.g. `http://127.0.0.1:38123`: call `${url}/dashboard/v1/user-favorite-list`. */
  readonly url: string;
  /** The base URL of its own API (beside the documented one), ending in `/_favconform/`. */
  readonly adminURL: string;
  /** The tokens of the callers it knows, by role. */
  readonly tokens: Tokens;
  /** The PEM public key that verifies its webhook JWTs (when webhooks are on). */
  readonly publicKey?: string;
  /** How many accounts of every role it knows. */
  readonly pool?: number;
  /** The mock's process id. */
  readonly pid: number;
  /** The ready line as printed. */
  readonly ready: ReadyLine;
  /**
   * Forgets every list, as if the mock had just started (POST `${adminURL}reset`); with `role`,
   * the lists of every account of that role; with `token`, that identity's list.
   */
  reset(scope?: { role?: string; token?: string }): Promise<void>;
  /** Every list the mock holds (GET `${adminURL}state`). */
  state(): Promise<MockState>;
  /** Replaces every list (PUT `${adminURL}state`); resolves to the state made (ids generated). */
  setState(state: MockState): Promise<MockState>;
  /** The journal of the API calls the mock answered, oldest first (GET `${adminURL}requests`). */
  requests(): Promise<JournalEntry[]>;
  /** Empties the journal (DELETE `${adminURL}requests`). */
  clearRequests(): Promise<void>;
  /** Stops the mock; resolves once it is gone. */
  close(): Promise<void>;
}

/**
 * Starts the reference mock (`favconform serve`) on a free loopback port and resolves once it
 * listens. Rejects with the command's own message when it refuses the options.
 */
export function startMock(options?: StartMockOptions): Promise<Mock>;

/**
 * The path of this platform's favconform binary. Throws an Error naming the platform when no
 * binary fits, or its package is not installed.
 */
export function binaryPath(): string;

/** Options of {@link createDashboardDouble}: the page the double's dashboard shows. */
export interface DashboardDoubleOptions {
  /** The current page's id (default: the nil GUID). */
  pageId?: string;
  pathname?: string;
  search?: string;
  hash?: string;
  displayMode?: 'main' | 'overlay';
  language?: string;
  locale?: string;
  embedded?: boolean;
}

/** `@wix/dashboard`'s Destination. */
export interface Destination {
  pageId?: string;
  relativeUrl?: string;
  scope?: unknown;
}

/** `@wix/dashboard`'s NavigationOptions. */
export interface NavigationOptions {
  displayMode?: 'auto' | 'main' | 'overlay';
  history?: 'push' | 'replace';
  scopeQueryParams?: Record<string, string>;
}

/** `@wix/dashboard`'s PageLocation. */
export interface PageLocation {
  pageId: string;
  pathname: string;
  search?: string;
  hash?: string;
}

/** `@wix/dashboard`'s ToastConfig (the type union simplified). */
export interface ToastConfig {
  message: string;
  timeout?: 'normal' | 'none';
  type?: 'standard' | 'success' | 'warning' | 'error';
  priority?: 'low' | 'normal' | 'high';
  action?: { text: string; uiType?: 'button' | 'link'; removeToastOnClick?: boolean; onClick: () => void };
  details?: { requestId: string };
  onCloseClick?: () => void;
  onToastSeen?: () => void;
}

/** The part of `@wix/dashboard`'s `dashboard` module the double provides, with its signatures. */
export interface DashboardModuleDouble {
  navigate(destination: string | Destination, options?: NavigationOptions): void;
  showToast(config: ToastConfig): { remove: () => void };
  observeState<P = { location: PageLocation; displayMode: 'main' | 'overlay' }>(
    observer: (params: P, environmentState: { locale: string; language: string; pageLocation: PageLocation; embedded: boolean }) => void,
  ): { disconnect: () => void };
  onBeforeUnload(callback: (event: Event) => void): { remove: () => void };
}

/** A test double of the dashboard page module, recording every call. */
export interface DashboardDouble {
  /** Pass this where the page expects `dashboard` from `@wix/dashboard`. */
  readonly dashboard: DashboardModuleDouble;
  /** Every call, in order, its arguments copied (functions as '[function]'). */
  readonly calls: { fn: 'navigate' | 'showToast' | 'observeState' | 'onBeforeUnload'; args: unknown[] }[];
  /** Every navigate call's destination (a page id alone becomes {pageId}), with its options. */
  readonly navigations: (Destination & { options?: NavigationOptions })[];
  /** Every toast shown; `removed` once its remove() was called. */
  readonly toasts: { message: string; type: string; config: ToastConfig; removed: boolean }[];
  /** The page the dashboard shows now. */
  readonly location: PageLocation;
  /** Moves the dashboard to another page and tells every observer. */
  setLocation(location: Partial<PageLocation>): void;
  /** Replaces the params and/or environment state observers get, and tells them. */
  setState(params?: Record<string, unknown>, environmentState?: Record<string, unknown>): void;
  /** The user leaves the page: returns the cancelable beforeunload Event the callbacks got. */
  leave(): Event;
}

/**
 * A test double of `@wix/dashboard`'s `dashboard` module (navigate, showToast, observeState,
 * onBeforeUnload, with that package's declared signatures): it records every call and refuses
 * arguments the declarations do not allow (TypeError). A new observer is called once, at once,
 * with the current state — the real module's timing is not documented.
 */
export function createDashboardDouble(options?: DashboardDoubleOptions): DashboardDouble;
