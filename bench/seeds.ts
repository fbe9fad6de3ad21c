import { spawn, type ChildProcess } from 'node:child_process';

// Seeds for the peer benches (peer.ts, attack-peer.ts): a program started, and handed back once it says it seeds.

/** Starts a seed and resolves with it once `ready` matches its output; `port` is read by `portOf`. */
export function startSeed(cmd: string, args: string[], ready: RegExp, portOf: (line: string) => number | undefined): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let port: number | undefined;
    let buf = '';
    child.stderr.resume(); // read and dropped: a full pipe would stall the seed
    const timer = setTimeout(() => reject(new Error(`seed ${cmd} not ready: ${buf.slice(-2000)}`)), 300_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) port ??= portOf(line);
      if (ready.test(buf)) {
        clearTimeout(timer);
        resolve({ child, port: port ?? 0 });
      }
    });
    child.on('exit', (code) => reject(new Error(`seed ${cmd} exited ${code}: ${buf.slice(-2000)}`)));
  });
}

export const jsonPort = (line: string): number | undefined => {
  const m = /"(?:listenPort|port)": ?(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
};
