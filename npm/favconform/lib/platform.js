'use strict';
// Which package holds the favconform binary for this platform, and where the binary is. The
// favconform package lists one package per platform as an optional dependency; each declares its
// os and cpu, so npm installs only the one that fits (as esbuild and Biome ship theirs).

const path = require('node:path');

// process.platform-process.arch → the package holding the binary built for it.
const PLATFORMS = {
  'linux-x64': '@favconform/linux-x64',
  'linux-arm64': '@favconform/linux-arm64',
  'darwin-x64': '@favconform/darwin-x64',
  'darwin-arm64': '@favconform/darwin-arm64',
  'win32-x64': '@favconform/win32-x64',
};

const GO_INSTALL = 'go install github.com/favconform/favconform/cmd/favconform@latest';

// binaryPath is the path of the favconform binary for the platform (this machine's by default):
// $FAVCONFORM_BINARY_PATH when set, else the binary of the platform's package. It throws an
// Error saying what is missing and what to do when there is none.
function binaryPath(platform = process.platform, arch = process.arch) {
  if (process.env.FAVCONFORM_BINARY_PATH) {
    return process.env.FAVCONFORM_BINARY_PATH;
  }
  const key = `${platform}-${arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    throw new Error(
      `favconform: no binary for this platform (${key}): the npm package ships binaries for ` +
        `${Object.keys(PLATFORMS).join(', ')}. Build the command with Go instead (${GO_INSTALL}) ` +
        `and set FAVCONFORM_BINARY_PATH to it.`,
    );
  }
  const exe = platform === 'win32' ? '.exe' : '';
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `favconform: the package ${pkg}, which holds the binary for this platform (${key}), is not ` +
        `installed. It is an optional dependency of favconform, which npm leaves out with ` +
        `--omit=optional (or --no-optional), and which a package-lock.json made without it ` +
        `lacks: run npm install --include=optional favconform here, or install the command with ` +
        `Go (${GO_INSTALL}) and set FAVCONFORM_BINARY_PATH to it.`,
    );
  }
  const want = require('../package.json').version;
  const got = require(manifest).version;
  if (got !== want) {
    throw new Error(
      `favconform: ${pkg} is version ${got}, but favconform is ${want}: the two must be the same ` +
        `version (npm install favconform@${want} ${pkg}@${want}).`,
    );
  }
  return path.join(path.dirname(manifest), 'bin', `favconform${exe}`);
}

module.exports = { binaryPath, PLATFORMS };
