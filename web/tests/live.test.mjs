// From a brand to a live case: an administrator adds a brand in Settings and previews it,
// accepts its proposed Bluesky stream, and a post that names it, sent on that stream by a
// loopback Jetstream (a WebSocket server speaking the documented event shape), becomes a
// case in the open inbox without a reload.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/live.test.mjs

import crypto from 'node:crypto';
import http from 'node:http';
import { check, run } from './harness.mjs';

// A Jetstream on loopback: accepts WebSocket upgrades and sends text frames on demand.
function startJetstream() {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' });
    res.end('a WebSocket endpoint');
  });
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'] || '';
    const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('error', () => {});
    socket.on('data', () => {}); // the client's pings and close: not needed here
    socket.on('close', () => sockets.delete(socket));
    sockets.add(socket);
  });
  const send = (event) => {
    const payload = Buffer.from(JSON.stringify(event));
    let head;
    if (payload.length < 126) {
      head = Buffer.from([0x81, payload.length]);
    } else {
      head = Buffer.alloc(4);
      head[0] = 0x81;
      head[1] = 126;
      head.writeUInt16BE(payload.length, 2);
    }
    for (const socket of sockets) socket.write(Buffer.concat([head, payload]));
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, sockets, send, url: `ws://127.0.0.1:${server.address().port}/subscribe` })));
}

const jetstream = await startJetstream();

function postEvent(rkey, text) {
  const now = Date.now();
  return {
    did: 'did:plc:q5m3rita7lisbon2xk',
    time_us: now * 1000,
    kind: 'commit',
    commit: {
      rev: `3lc${rkey}`,
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey,
      record: { $type: 'app.bsky.feed.post', text, createdAt: new Date(now).toISOString(), langs: ['fr'] },
      cid: `bafyreia${rkey}`,
    },
  };
}

await run(
  'live',
  async (t) => {
    t.closers.push(() => new Promise((resolve) => {
      for (const socket of jetstream.sockets) socket.destroy();
      jetstream.server.close(resolve);
    }));
    const page = await t.newPage({ width: 1440, height: 1000 });

    await t.step('a brand added in Settings after its preview', async () => {
      await t.login(page, 'admin');
      await t.inboxLoaded(page);
      await page.goto('/#/settings');
      await page.waitForSelector('#brands-form');
      await page.fill('#brands-form input[name=name]', 'Lisbon Air');
      await page.fill('#brands-form textarea[name=aliases]', 'Lisbonne, Lisbon');
      await page.click('#brand-preview-button');
      await page.waitForSelector('#brand-preview-summary');
      const summary = await page.textContent('#brand-preview-summary');
      check(/name “Lisbon Air”/.test(summary), `summary: ${summary}`);
      await page.click('#brands-form button[type=submit]');
      await page.waitForSelector('#settings-brands tr[data-brand="Lisbon Air"]');
    });

    await t.step('its Bluesky stream accepted: the stream connects', async () => {
      await page.click('#settings-brands tr[data-brand="Lisbon Air"] button[data-action=edit]');
      const row = `#brand-listening tr[data-url="${jetstream.url}"]`;
      await page.waitForSelector(`${row} input[type=checkbox]`);
      await page.check(`${row} input[type=checkbox]`);
      await page.click('#brand-listening .listen-accept');
      await page.waitForFunction(() => /1 source added/.test(document.querySelector('#brand-listening [role=status]')?.textContent || ''));
      const deadline = Date.now() + 15000;
      while (jetstream.sockets.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      check(jetstream.sockets.size === 1, `connections to the stream: ${jetstream.sockets.size}`);
      const { sources } = await (await t.api.get('/api/v1/sources')).json();
      const live = sources.find((s) => s.format === 'jetstream');
      check(live && live.origin === 'proposal' && live.live, `the stream's source: ${JSON.stringify(live)}`);
    });

    await t.step('a post sent on the stream is a case in the open inbox, live', async () => {
      await page.goto('/#/inbox');
      await t.inboxLoaded(page);
      await page.waitForSelector('#live-state.live-on');
      // Noise first: the firehose is the whole network, only what names a brand is kept.
      jetstream.send(postEvent('3lcnoise1', 'Beau soleil sur le port ce matin, café en terrasse.'));
      jetstream.send(postEvent('3lclis001', 'Lisbon Air a perdu ma valise à Porto et le service client ne répond plus depuis cinq jours.'));
      await page.waitForFunction(() => [...document.querySelectorAll('#inbox-table tbody tr, .inbox-cards li')].some((r) => /valise/.test(r.textContent)), null, { timeout: 15000 });
      const hits = await (await t.api.get('/api/v1/posts?q=soleil')).json();
      check(hits.hits.length === 0, `a post naming no brand was stored: ${JSON.stringify(hits.hits)}`);
      const cases = await (await t.api.get('/api/v1/cases?brand=Lisbon%20Air')).json();
      check(cases.cases.length === 1, `cases of the brand: ${cases.cases.length}`);
    });
  },
  { env: { ECOUTE_LISTEN_JETSTREAM_URL: jetstream.url } },
);
