import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerServer {
  url: string;
  /** Generation requests answered (price checks and balance reads not counted). */
  paid: number;
  close(): Promise<void>;
}

/**
 * A stand-in for the RetroDiffusion API on 127.0.0.1 that answers every generation with the images
 * it is given (real HTTP, the published answer shape), so a test can hand the client exactly the
 * bytes an encoder wrote: price checks cost 1 credit, every generation costs 1 credit.
 */
export async function startAnswerServer(images: () => Uint8Array[]): Promise<AnswerServer> {
  const state = { paid: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/v1/inferences/credits') return send({ credits: 1000 });
      if (req.method !== 'POST' || req.url !== '/v1/inferences') {
        res.writeHead(404).end();
        return;
      }
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { check_cost?: boolean };
      if (payload.check_cost) return send({ credit_cost: 1 });
      state.paid++;
      // Built by hand: the images can be tens of megabytes, and JSON.stringify of an object holding
      // them would copy each once more.
      const list = images().map((b) => `"${Buffer.from(b).toString('base64')}"`).join(',');
      send(`{"created_at":1700000000,"credit_cost":1,"remaining_credits":999,"type":"txt2img","base64_images":[${list}]}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get paid() {
      return state.paid;
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
