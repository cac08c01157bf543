// Runs s3rver (the npm S3-protocol server) on 127.0.0.1 in its own process, with the access key
// pair the test chose instead of s3rver's built-in one, and one bucket. Prints "listening <port>".
// Run it with --openssl-legacy-provider: s3rver's listing continuation tokens use DES.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const accounts = require('s3rver/lib/models/account');

const { S3_DIR, S3_BUCKET, S3_KEY_ID, S3_SECRET, S3_PORT } = process.env;
accounts.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
accounts.DUMMY_ACCOUNT.createKeyPair(S3_KEY_ID, S3_SECRET);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(S3_PORT ?? 0),
  directory: S3_DIR,
  silent: true,
  configureBuckets: [{ name: S3_BUCKET }],
});

// s3rver predates S3's conditional writes and ignores `If-None-Match: *` on PutObject. With
// S3_CONDITIONAL_CREATE=1 this adds AWS's documented rule in front of its router (412
// PreconditionFailed when the object exists, checked and written under one lock per object), so
// the exclusive lease path can run against a real S3-protocol server. Everything else is s3rver's.
if (process.env.S3_CONDITIONAL_CREATE === '1') {
  const locks = new Map();
  const conditional = async (ctx, next) => {
    const m = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*' || !m || Object.keys(ctx.query).some((q) => q !== 'x-id')) return next();
    const [, bucket, key] = m.map(decodeURIComponent);
    const id = `${bucket}/${key}`;
    const before = locks.get(id) ?? Promise.resolve();
    let release;
    const mine = new Promise((r) => (release = r));
    locks.set(id, before.then(() => mine));
    await before;
    try {
      if (await ctx.store.existsObject(bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
        ctx.req.resume();
        return;
      }
      await next();
    } finally {
      release();
      if (locks.get(id) === mine) locks.delete(id);
    }
  };
  server.middleware.splice(server.middleware.length - 1, 0, conditional);
}
// One line per request on stdout, so a test can count round trips.
server.middleware.unshift(async (ctx, next) => {
  process.stdout.write(`request ${ctx.method} ${ctx.url}\n`);
  await next();
});
const { port } = await server.run();
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
