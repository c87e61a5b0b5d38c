// A webhook receiver written as the docs and the official SDK suggest: @wix/sdk's
// `webhooks.process` verifies each delivery (a JWT signed RS256, checked with the app's public
// key by AppStrategy) and runs the favoriteList event handlers. It answers 200 to what process
// takes and 400 to what it throws on. interop/receiver_test.go checks it with
// `favconform check-receiver` (package receivercheck); it uses the SDK that interop/sdk_test.go
// installs into interop/sdk/node_modules.
//
//   FAVCONFORM_SDK_DIR=interop/sdk FAVCONFORM_PUBLIC_KEY="$(cat pub.pem)" node interop/receiver-sdk.mjs
//
// It listens on 127.0.0.1 (FAVCONFORM_RECEIVER_PORT, default a free port) and prints
// "listening http://127.0.0.1:PORT/webhooks" once ready. GET /seen answers what the handlers saw,
// in order: each event's kind, entity id, sequence, favorites' titles, and whether the SDK turned
// the dates into Dates (interop/receiver_test.go drives the mock's own events through it).
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';

const sdkDir = process.env.FAVCONFORM_SDK_DIR;
const publicKey = process.env.FAVCONFORM_PUBLIC_KEY;
if (!sdkDir || !publicKey) {
  throw new Error('set FAVCONFORM_SDK_DIR (the folder whose node_modules holds @wix/sdk) and FAVCONFORM_PUBLIC_KEY (PEM)');
}
// The SDK lives in interop/sdk/node_modules, not beside this file.
const require = createRequire(path.resolve(sdkDir, 'package.json'));
const { createClient, AppStrategy } = require('@wix/sdk');
const { favoriteList } = require('@wix/dashboard-management');

const client = createClient({
  auth: AppStrategy({ appId: 'favconform-check-receiver', publicKey }),
  modules: { favoriteList },
});
let handled = 0;
const seen = [];
const isDate = (v) => v instanceof Date && !Number.isNaN(v.getTime());
const record = (kind) => (event) => {
  handled++;
  const e = event.entity;
  seen.push({
    kind,
    entityId: event.metadata?.entityId ?? null,
    sequence: event.metadata?.entityEventSequence ?? null,
    eventTimeIsDate: isDate(event.metadata?.eventTime),
    ...(e ? { id: e._id, revision: e.revision, titles: (e.favorites ?? []).map((f) => f.title), datesAreDates: isDate(e._createdDate) && isDate(e._updatedDate) } : {}),
  });
};
client.favoriteList.onFavoriteListCreated(record('created'));
client.favoriteList.onFavoriteListUpdated(record('updated'));
client.favoriteList.onFavoriteListDeleted(record('deleted'));

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/seen') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(seen));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks).toString('utf8');
  try {
    const ev = await client.webhooks.process(body);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`ok ${ev.eventType} (${handled} handled)`);
  } catch (err) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`rejected: ${err.message}`);
  }
});
server.listen(Number(process.env.FAVCONFORM_RECEIVER_PORT || 0), '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}/webhooks`);
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => server.close(() => process.exit(0)));
