// A small program for the BEP 14 namespace test: run inside a network namespace with `ip netns exec`.
//   node lsd-agent.js listen FAMILY IFACE            prints "ready", then "peer <infohash> <host> <port>" lines
//   node lsd-agent.js announce FAMILY IFACE PORT IH  announces every 200 ms
// Both stop when stdin closes (the test ends) or after 60 s.
import { LsdService } from '../../src/lsd/index.js';

const [mode, familyText, iface, portText, ihText] = process.argv.slice(2);
const family = familyText === '6' ? 6 : 4;
const service = new LsdService({ family, interfaceAddress: iface, peerPort: Number(portText ?? 1), announceIntervalMs: 200 }, (p) => {
  console.log(`peer ${p.infoHash.toString('hex')} ${p.host} ${p.port}`);
});
await service.start();
if (mode === 'announce') service.announce([Buffer.from(ihText!, 'hex')]);
console.log('ready');
const done = async (): Promise<void> => {
  await service.stop();
  process.exit(0);
};
process.stdin.on('end', () => void done());
process.stdin.resume();
setTimeout(() => void done(), 60_000).unref();
