// Runs s3rver (the npm S3-protocol server) on 127.0.0.1 in its own process, with the access key
// pair the test chose instead of s3rver's built-in one, and one bucket. Prints "listening <port>".
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
const { port } = await server.run();
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
