// A load generator for the hardening tests, run as a child process so its work does not slow the test's own event
// loop: `node http-load.js PORT PATH CONNECTIONS PIPELINE [HEADER...]` opens CONNECTIONS keep-alive connections to
// 127.0.0.1:PORT at once, each keeping PIPELINE GETs of PATH in flight (a new one for every response), like
// `wrk -c`. Prints `connected N` when every connection has had a response and `responses N` every 500 ms;
// stops on SIGTERM (or when its parent goes away) and closes every socket.
import { connect, type Socket } from 'node:net';

const [portText, path, countText, depthText, ...headers] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const depth = Number(depthText);
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`, 'latin1');
const batch = Buffer.concat(Array.from({ length: depth }, () => request));
const sockets: Socket[] = [];
let responses = 0;
let answered = 0;

/** Counts whole responses in a stream of them: heads parsed, bodies skipped by Content-Length. */
class ResponseCounter {
  private buf = Buffer.alloc(0);
  private skip = 0;

  feed(d: Buffer): number {
    let n = 0;
    if (this.skip >= d.length) {
      this.skip -= d.length;
      return 0;
    }
    this.buf = Buffer.concat([this.buf, d.subarray(this.skip)]);
    this.skip = 0;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return n;
      const m = /content-length:\s*(\d+)/i.exec(this.buf.toString('latin1', 0, end));
      const total = end + 4 + (m ? Number(m[1]) : 0);
      n++;
      if (total > this.buf.length) {
        this.skip = total - this.buf.length;
        this.buf = Buffer.alloc(0);
        return n;
      }
      this.buf = this.buf.subarray(total);
    }
  }
}

for (let i = 0; i < count; i++) {
  const s = connect(port, '127.0.0.1');
  const counter = new ResponseCounter();
  let first = true;
  s.on('connect', () => s.write(batch));
  s.on('data', (d: Buffer) => {
    const n = counter.feed(d);
    if (n === 0) return;
    responses += n;
    if (first) {
      first = false;
      if (++answered === count) console.log(`connected ${count}`);
    }
    for (let k = 0; k < n; k++) s.write(request);
  });
  s.on('error', () => undefined);
  sockets.push(s);
}

const tick = setInterval(() => console.log(`responses ${responses}`), 500);
const stop = (): void => {
  clearInterval(tick);
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.stdin.on('end', stop); // the parent closed our stdin: it is gone
process.stdin.resume();
