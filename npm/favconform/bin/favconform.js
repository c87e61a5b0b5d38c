#!/usr/bin/env node
'use strict';
// The favconform command installed by npm: runs the binary of this platform's package with the
// same arguments, standard streams and environment, and exits with its exit code (0 conforming,
// 1 not conforming, 2 bad usage or configuration, 3 unreachable, 4 restore failed, 130
// interrupted).

const { spawn } = require('node:child_process');
const { binaryPath } = require('../lib/platform.js');

let bin;
try {
  bin = binaryPath();
} catch (err) {
  console.error(err.message);
  process.exit(2);
}

const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit' });

// favconform restores the target's lists on SIGINT and SIGTERM, and takes a third signal as
// "stop restoring": each signal must reach it once. SIGTERM and SIGHUP are sent to this process
// alone (kill, timeout, a container stop), so they are handed on. A Ctrl-C at a terminal reaches
// every process of the foreground group, favconform too, so from a terminal SIGINT is only
// waited out; elsewhere it was sent to this process alone, and is handed on.
const forward = (signal) => () => {
  if (signal === 'SIGINT' && process.stdin.isTTY) return;
  child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, forward(signal));
}

child.on('error', (err) => {
  console.error(`favconform: cannot run ${bin}: ${err.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Killed by a signal: die of the same one, so that the caller sees what favconform saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code);
});
