import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** A real remote-cache server in a child process on 127.0.0.1, and the environment that reaches it. */
export interface RemoteServer {
  kind: 's3' | 'turbo';
  /** The URL the plugin is given (`remoteCache`, `--remote`). */
  url: string;
  /** Credentials and endpoint, as a user sets them (AWS_* or TURBO_*). */
  env: Record<string, string>;
  /** The secrets in `env`, which must appear nowhere we write. */
  secrets: string[];
  /** Where the server keeps its objects. */
  dir: string;
  /** `METHOD /path?query` of every request the server received so far. */
  requests: string[];
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (after `stop`). */
  start(): Promise<void>;
}

/** Resolves with the port the server says it listens on; every request line it prints goes to `requests`. */
function waitForPort(child: ChildProcess, pattern: RegExp, requests: string[], request: (line: string) => string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let partial = '';
    let found = false;
    child.stdout!.on('data', (b: Buffer) => {
      const text = partial + b.toString();
      const lines = text.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const r = request(line);
        if (r) requests.push(r);
      }
      if (found) return;
      seen += b.toString();
      const m = pattern.exec(seen);
      if (m) {
        found = true;
        resolve(Number(m[1]));
      }
    });
    child.stderr!.on('data', (b: Buffer) => (seen += b.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${seen.slice(-2000)}`)));
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** s3rver, the S3-protocol server from npm, with its own access key pair and one bucket. */
export async function startS3Server(dir: string, opts: { conditionalCreate?: boolean } = {}): Promise<RemoteServer> {
  const bucket = 'sprites';
  const prefix = 'team/game';
  const keyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secret = `s3-secret-${randomBytes(16).toString('hex')}`;
  let child: ChildProcess | undefined;
  let port = 0;
  const requests: string[] = [];
  const start = async () => {
    child = spawn(process.execPath, ['--openssl-legacy-provider', fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url))], {
      env: { PATH: process.env.PATH, S3_DIR: dir, S3_BUCKET: bucket, S3_KEY_ID: keyId, S3_SECRET: secret, S3_PORT: String(port), S3_CONDITIONAL_CREATE: opts.conditionalCreate ? '1' : '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await waitForPort(child, /listening (\d+)/, requests, (l) => /^request (.+)$/.exec(l)?.[1]);
  };
  await start();
  return {
    kind: 's3',
    url: `s3://${bucket}/${prefix}`,
    get env() {
      return { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` };
    },
    secrets: [secret],
    dir,
    requests,
    stop: () => stopChild(child),
    start,
  };
}

/** turborepo-remote-cache from npm with its local storage driver, a static token and a team. */
export async function startTurboServer(dir: string): Promise<RemoteServer> {
  const token = `turbo-token-${randomBytes(16).toString('hex')}`;
  const cli = require.resolve('turborepo-remote-cache/package.json').replace(/package\.json$/, 'dist/cli.js');
  let child: ChildProcess | undefined;
  let port = 0;
  const requests: string[] = [];
  const start = async () => {
    child = spawn(process.execPath, [cli], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        TURBO_TOKEN: token,
        STORAGE_PROVIDER: 'local',
        STORAGE_PATH: dir,
        STORAGE_PATH_USE_TMP_FOLDER: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await waitForPort(child, /Server listening at http:\/\/127\.0\.0\.1:(\d+)/, requests, (l) => {
      if (!l.includes('incoming request')) return undefined;
      const req = (JSON.parse(l) as { req?: { method: string; url: string } }).req;
      return req ? `${req.method} ${req.url}` : undefined;
    });
  };
  await start();
  return {
    kind: 'turbo',
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    env: { TURBO_TOKEN: token, TURBO_TEAM: 'game-studio' },
    secrets: [token],
    dir,
    requests,
    stop: () => stopChild(child),
    start,
  };
}

export const REMOTE_SERVERS = {
  s3: (dir: string) => startS3Server(dir),
  /** s3rver with S3's conditional create added in front (see s3rver-main.mjs). */
  's3-conditional': (dir: string) => startS3Server(dir, { conditionalCreate: true }),
  turbo: startTurboServer,
} as const;
