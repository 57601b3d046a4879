/**
 * Node-side helpers for tests that drive the emulator: a real @linear/sdk
 * client pointed at it, and a tiny webhook receiver that records raw bodies.
 */
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LinearClient } from "@linear/sdk";

export function linearClient(emulatorUrl: string, accessToken: string, options: { signal?: AbortSignal } = {}): LinearClient {
  return new LinearClient({ accessToken, apiUrl: `${emulatorUrl}/graphql`, ...options });
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, any>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The HTTP status the receiver answers with (200 unless a test changes it). */
  status: number;
  /** Resolves once `count` deliveries have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const receiver = {} as WebhookReceiver;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(rawBody) as Record<string, any>;
      } catch {
        // kept raw; the test decides whether that matters
      }
      received.push({ headers: req.headers, rawBody, body });
      res.writeHead(receiver.status, { "Content-Type": "text/plain" });
      res.end(receiver.status === 200 ? "OK" : "nope");
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/webhooks/linear`,
    received,
    status: 200,
    async waitFor(count: number, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`expected ${count} webhook deliveries, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return receiver;
}
