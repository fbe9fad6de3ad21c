// A helper the lab runs inside its namespaces (`ip netns exec NS node probe.js ...`): a TCP sender and receiver
// for the shaping check, a wait for `serve --seed` to have made its torrent, and one for a tracker to list a
// seed. Every wait here is bounded.
import { createServer, connect } from 'node:net';

function recv(port: number, bytes: number, host: string): void {
  const server = createServer((sock) => {
    let got = 0;
    let t0 = 0;
    let tHalf = 0;
    let bytesAtHalf = 0;
    sock.on('data', (d: Buffer) => {
      const now = performance.now();
      if (!t0) t0 = now;
      got += d.length;
      if (!tHalf && now - t0 >= 500) {
        tHalf = now;
        bytesAtHalf = got;
      }
      if (got >= bytes) {
        const steady = tHalf ? ((got - bytesAtHalf) * 8) / ((now - tHalf) / 1000) : (got * 8) / ((now - t0) / 1000);
        process.stdout.write(JSON.stringify({ bytes: got, seconds: (now - t0) / 1000, goodputBps: steady }) + '\n');
        sock.destroy();
        server.close();
      }
    });
  });
  server.listen(port, host, () => process.stdout.write('listening\n'));
  setTimeout(() => process.exit(3), 60_000).unref();
}

function send(host: string, port: number, bytes: number): void {
  const sock = connect(port, host);
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!sock.write(chunk)) return void sock.once('drain', pump);
    }
    sock.end();
  };
  sock.on('connect', pump);
  sock.on('error', () => process.exit(1));
  setTimeout(() => process.exit(3), 60_000).unref();
}

async function warm(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(url, { method: 'HEAD' });
      if (res.headers.get('link')?.includes('?torrent')) return void process.stdout.write('ready\n');
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.exit(3);
}

/** Waits for a tracker (`tandem tracker`'s /metrics at `url`) to list a seeder: the seed has announced. */
async function seeded(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      const text = await (await fetch(url)).text();
      if (Number(/tandem_tracker_peers\{state="seeder"\} (\d+)/.exec(text)?.[1] ?? 0) >= 1) return void process.stdout.write('ready\n');
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.exit(3);
}

const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === 'recv') recv(Number(a), Number(b), c!);
else if (cmd === 'send') send(a!, Number(b), Number(c));
else if (cmd === 'warm') await warm(a!);
else if (cmd === 'seeded') await seeded(a!);
else {
  process.stderr.write('usage: probe recv PORT BYTES HOST | send HOST PORT BYTES | warm URL | seeded METRICS_URL\n');
  process.exit(2);
}
