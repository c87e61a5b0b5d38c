'use strict';
// favconform's JavaScript API: start the reference mock of the Wix Dashboard Favorite List API
// from a test (Jest, Vitest, node:test, ...), point the code under test at it, and stop it.
//
//   const { startMock } = require('favconform');
//   const mock = await startMock();            // `favconform serve` on a free loopback port
//   // ... call mock.url with mock.tokens.user as the Authorization header ...
//   await mock.reset();                        // forget every list (between tests)
//   await mock.close();

const { spawn } = require('node:child_process');
const { binaryPath } = require('./lib/platform.js');
const { createDashboardDouble } = require('./lib/dashboard.js');

const DEFAULT_TIMEOUT_MS = 30000;
const CLOSE_GRACE_MS = 10000;
const KEEP_OUTPUT = 64 * 1024;

// The mocks still running: a test runner that ends without close() must not leave one behind.
const live = new Set();
let exitHook = false;
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

const list = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

// startMock starts `favconform serve --ready-json --addr 127.0.0.1:0` with the options and
// resolves, once the mock listens, to its address, tokens and controls. It rejects with the
// command's own message when serve refuses the options (an unknown deviation, ...) or does not
// start in time.
function startMock(options = {}) {
  const known = ['deviations', 'readings', 'webhookUrl', 'pool', 'binary', 'args', 'env', 'timeout', 'log'];
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      return Promise.reject(new TypeError(`startMock: unknown option ${JSON.stringify(k)} (known: ${known.join(', ')})`));
    }
  }
  const argv = ['serve', '--ready-json', '--addr', '127.0.0.1:0'];
  for (const d of list(options.deviations)) argv.push('--deviate', String(d));
  for (const r of list(options.readings)) argv.push('--reading', String(r));
  for (const u of list(options.webhookUrl)) argv.push('--webhook-url', String(u));
  if (options.pool !== undefined) {
    if (!Number.isInteger(options.pool) || options.pool < 1) {
      return Promise.reject(new TypeError(`startMock: pool must be a positive integer, got ${JSON.stringify(options.pool)}`));
    }
    argv.push('--pool', String(options.pool));
  }
  argv.push(...list(options.args).map(String));

  let bin;
  try {
    bin = options.binary || binaryPath();
  } catch (err) {
    return Promise.reject(err);
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const log = typeof options.log === 'function' ? options.log : null;

  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const command = `favconform ${argv.join(' ')}`;
    let stderr = '';
    let stdout = '';
    let ready = false;
    let exited = null; // {code, signal} once the process is gone
    const exit = new Promise((done) => child.once('exit', (code, signal) => done((exited = { code, signal }))));
    track(child);

    const fail = (why) => {
      if (ready) return;
      ready = true; // settled
      clearTimeout(timer);
      child.kill('SIGKILL');
      const said = stderr.trim() || stdout.trim();
      reject(new Error(`startMock: ${command} ${why}${said ? `:\n${said}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not print its ready line within ${timeout} ms`), timeout);
    timer.unref?.();

    // Everything after the ready line goes to log, line by line (the mock logs every webhook
    // delivery on stdout); the pipes are always drained, so the mock never blocks on them.
    const lines = (stream) => {
      let rest = '';
      return (chunk) => {
        rest += chunk;
        let i;
        while ((i = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, i).replace(/\r$/, '');
          rest = rest.slice(i + 1);
          if (log) log(line, stream);
        }
      };
    };
    const logOut = lines('stdout');
    const logErr = lines('stderr');
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      if (!ready) stderr = (stderr + chunk).slice(-KEEP_OUTPUT);
      else logErr(chunk);
    });
    child.stdout.on('data', (chunk) => {
      if (ready) return logOut(chunk);
      stdout += chunk;
      const nl = stdout.indexOf('\n');
      if (nl < 0) {
        if (stdout.length > KEEP_OUTPUT) fail('printed no ready line');
        return;
      }
      const first = stdout.slice(0, nl).trim();
      let line;
      try {
        line = JSON.parse(first);
      } catch {
        return fail(`did not start its output with the --ready-json line (a favconform without --ready-json? check \`favconform version\`); its first line was ${JSON.stringify(first.slice(0, 200))}`);
      }
      if (!line || typeof line.url !== 'string' || typeof line.adminURL !== 'string' || !line.tokens || typeof line.tokens.user !== 'string') {
        return fail(`printed a ready line without url, adminURL and tokens.user: ${first.slice(0, 500)}`);
      }
      ready = true;
      clearTimeout(timer);
      const remainder = stdout.slice(nl + 1);
      stdout = '';
      if (remainder) logOut(remainder);
      resolve(mockOf(child, line, exit, () => exited));
    });
    child.once('error', (err) => fail(`could not be started (${bin}): ${err.message}`));
    exit.then(({ code, signal }) => fail(`exited before it listened (${signal ? `signal ${signal}` : `exit code ${code}`})`));
  });
}

function mockOf(child, line, exit, exited) {
  const adminURL = line.adminURL.endsWith('/') ? line.adminURL : `${line.adminURL}/`;
  let closing = null;
  // admin calls the mock's admin API (spec/admin.yaml) and returns its JSON answer; an answer
  // other than 2xx rejects with the mock's own message.
  const admin = async (method, path, body) => {
    if (exited()) throw new Error(`favconform mock: ${method} ${path} after the mock ended (${describe(exited())})`);
    const res = await fetch(`${adminURL}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let message = text.trim();
      try {
        message = JSON.parse(text).message ?? message;
      } catch {}
      throw new Error(`favconform mock: ${method} ${adminURL}${path} answered ${res.status}${message ? `: ${message.slice(0, 500)}` : ''}`);
    }
    return text.trim() === '' ? null : JSON.parse(text);
  };
  return {
    url: line.url,
    adminURL,
    tokens: line.tokens,
    publicKey: line.publicKeyPEM,
    pool: line.pool,
    pid: child.pid,
    ready: line,
    // reset forgets every list the mock holds (POST <adminURL>reset), as if it had just started;
    // reset({role}) the lists of every account of that role, reset({token}) that identity's.
    async reset(scope = {}) {
      const known = ['role', 'token'];
      for (const k of Object.keys(scope)) {
        if (!known.includes(k)) throw new TypeError(`reset: unknown option ${JSON.stringify(k)} (known: role, token)`);
      }
      const q = new URLSearchParams(scope).toString();
      await admin('POST', `reset${q ? `?${q}` : ''}`);
    },
    // state() is every list the mock holds: {lists: [{role, token, favoriteList}]}.
    state() {
      return admin('GET', 'state');
    },
    // setState(state) replaces every list (the same shape; an entry names a role or a token).
    setState(state) {
      return admin('PUT', 'state', state);
    },
    // requests() is the journal of the API calls the mock answered, oldest first, each with its
    // operationId, status, request body and violations of the spec.
    async requests() {
      return (await admin('GET', 'requests')).requests;
    },
    // clearRequests() empties that journal.
    async clearRequests() {
      await admin('DELETE', 'requests');
    },
    // close stops the mock (SIGTERM: requests under way finish first) and resolves once it is
    // gone; after CLOSE_GRACE_MS it is killed. Calling it again waits for the same end.
    close() {
      if (!closing) {
        closing = (async () => {
          if (!exited()) {
            child.kill('SIGTERM');
            const grace = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
            await exit;
            clearTimeout(grace);
          }
        })();
      }
      return closing;
    },
  };
}

const describe = ({ code, signal }) => (signal ? `killed by ${signal}` : `exit code ${code}`);

module.exports = { startMock, binaryPath, createDashboardDouble };
