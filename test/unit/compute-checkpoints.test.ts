// The sandbox's checkpoint files, step by step: which names count, what a write replaces, and the bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputLimit } from '../../src/compute/sandbox/bundle.js';
import { CheckpointFiles, isCheckpointName } from '../../src/compute/sandbox/checkpoints.js';

describe('compute checkpoint files', () => {
  it('names: checkpoint and checkpoint.NAME only', () => {
    for (const ok of ['checkpoint', 'checkpoint.state', 'checkpoint.a_b-1']) assert.ok(isCheckpointName(ok), ok);
    for (const bad of ['checkpoints', 'checkpoint.', 'checkpoint/x', '../checkpoint', 'checkpoint..x', 'out', `checkpoint.${'x'.repeat(33)}`]) assert.ok(!isCheckpointName(bad), bad);
  });

  it('a file is replaced whole when its descriptor closes, and the parent hears of it then', () => {
    const heard: [string, string][] = [];
    const files = new CheckpointFiles([['checkpoint', Buffer.from('old')], ['elsewhere', Buffer.from('x')]], 1024, (n, d) => heard.push([n, Buffer.from(d).toString()]));
    assert.equal(Buffer.from(files.get('checkpoint')!).toString(), 'old');
    assert.equal(files.get('elsewhere'), undefined, 'only checkpoint names are taken from an earlier run');
    files.begin(5, 'checkpoint');
    files.append(5, Buffer.from('ne'));
    files.append(5, Buffer.from('w'));
    assert.equal(Buffer.from(files.get('checkpoint')!).toString(), 'old', 'not replaced before the close');
    assert.deepEqual(heard, []);
    files.close(5);
    assert.equal(Buffer.from(files.get('checkpoint')!).toString(), 'new');
    assert.deepEqual(heard, [['checkpoint', 'new']]);
    files.close(5);
    assert.equal(heard.length, 1, 'a second close of the descriptor is nothing');
  });

  it('together the files are bounded, and so is their number', () => {
    const files = new CheckpointFiles([['checkpoint.a', Buffer.alloc(60)]], 100);
    files.begin(4, 'checkpoint.b');
    files.append(4, Buffer.alloc(40));
    assert.throws(() => files.append(4, Buffer.alloc(1)), OutputLimit);
    // Replacing a file counts its new size, not the old one twice.
    files.begin(6, 'checkpoint.a');
    files.append(6, Buffer.alloc(100));
    const many = new CheckpointFiles([], 1 << 20);
    for (let k = 0; k < 8; k++) {
      many.begin(10 + k, `checkpoint.f${k}`);
      many.close(10 + k);
    }
    assert.throws(() => many.begin(99, 'checkpoint.more'), OutputLimit);
    many.begin(100, 'checkpoint.f0');
  });
});
