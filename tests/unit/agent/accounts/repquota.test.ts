import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_REPQUOTA_ARGS, parseCount, parseRepquota, parseSpace, quotaByName, runRepquota } from '../../../../agent/accounts/repquota.js';
import { fakeRepquota, tempDir, text } from './_fixtures.js';

const KiB = 1024;

const space = suite('parseSpace');
space('should read plain numbers as 1 KiB blocks', () => {
  assert.is(parseSpace('52344'), 52344 * KiB);
  assert.is(parseSpace('0'), 0);
});
space('should read -s units as 1024-based', () => {
  assert.is(parseSpace('12K'), 12 * KiB);
  assert.is(parseSpace('977M'), 977 * KiB ** 2);
  assert.is(parseSpace('2G'), 2 * KiB ** 3);
});
space('should give NaN for anything else', () => {
  assert.ok(Number.isNaN(parseSpace('12x0000')));
  assert.ok(Number.isNaN(parseSpace('6days')));
  assert.ok(Number.isNaN(parseSpace('-1')));
});
space.run();

const count = suite('parseCount');
count('should read plain inode counts and 1000-based -s units', () => {
  assert.is(parseCount('311'), 311);
  assert.is(parseCount('10k'), 10_000);
  assert.ok(Number.isNaN(parseCount('10K')));
});
count.run();

const parse = suite('parseRepquota');
parse('should read the default format over two filesystems, with flags, limits and blank or set grace columns', () => {
  const r = parseRepquota(text('repquota', 'default.txt'));
  assert.is(r.sections, 2);
  assert.equal(r.errors, []);
  assert.equal(r.entries.map((e) => `${e.device} ${e.name}`), [
    '/dev/sda2 root', '/dev/sda2 alice', '/dev/sda2 bob', '/dev/sda2 carol', '/dev/sda2 longusername01', '/dev/sdb1 alice', '/dev/sdb1 bob',
  ]);
  assert.equal(r.entries[1], {
    device: '/dev/sda2', name: 'alice', usedBytes: 1_200_000 * KiB, softLimitBytes: 1_000_000 * KiB, hardLimitBytes: 1_500_000 * KiB,
    files: 4200, fileSoftLimit: 0, fileHardLimit: 0, overSpace: true, overFiles: false, spaceGrace: '6days', fileGrace: '',
  });
});
parse('should read an inode grace column when the space grace is blank', () => {
  const carol = parseRepquota(text('repquota', 'default.txt')).entries[3];
  assert.equal([carol.usedBytes, carol.files, carol.fileSoftLimit, carol.fileHardLimit, carol.overSpace, carol.overFiles, carol.spaceGrace, carol.fileGrace],
    [88 * KiB, 1500, 1000, 2000, false, true, '', 'none']);
});
parse('should read a name longer than its column and both grace columns set', () => {
  const e = parseRepquota(text('repquota', 'default.txt')).entries[4];
  assert.equal([e.name, e.files, e.fileHardLimit, e.spaceGrace, e.fileGrace], ['longusername01', 90000, 100000, '13:45', '6days']);
});
parse('should read -n ids as uids and -p raw grace times', () => {
  const r = parseRepquota(text('repquota', 'ids-raw-grace.txt'));
  assert.equal(r.entries.map((e) => [e.name, e.uid, e.spaceGrace]), [['#0', 0, '0'], ['#1001', 1001, '1767225600'], ['#1002', 1002, '0'], ['#4242', 4242, '0']]);
  assert.is(r.entries[0].device, '/dev/mapper/vg-home');
});
parse('should read CSV output, one section per header, without devices', () => {
  const r = parseRepquota(text('repquota', 'csv.txt'));
  assert.is(r.sections, 2);
  assert.equal(r.entries.map((e) => [e.device, e.name, e.usedBytes / KiB, e.overSpace, e.spaceGrace]), [
    ['', 'root', 1834524, false, ''], ['', 'alice', 1200000, true, '6days'], ['', 'bob', 52344, false, ''], ['', 'alice', 300000, false, ''],
  ]);
  assert.is(r.entries[2].fileHardLimit, 12000);
});
parse('should read -s human-readable units', () => {
  const [alice, bob] = parseRepquota(text('repquota', 'human-units.txt')).entries;
  assert.is(alice.usedBytes, 1172 * KiB ** 2);
  assert.is(bob.fileSoftLimit, 10_000);
});
parse('should skip group sections', () => {
  const r = parseRepquota(text('repquota', 'no-limits-with-groups.txt'));
  assert.is(r.sections, 1);
  assert.equal(r.entries.map((e) => [e.name, e.usedBytes]), [['alice', 512 * KiB]]);
});
parse('should list bad data lines and keep the good ones', () => {
  const r = parseRepquota(text('repquota', 'garbage.txt'));
  assert.equal(r.entries.map((e) => e.name), ['bob']);
  assert.is(r.errors.length, 1);
  assert.match(r.errors[0], 'bad line "alice');
});
parse('should find no section in output without quotas, or in garbage', () => {
  assert.equal(parseRepquota(''), { entries: [], sections: 0, errors: [] });
  assert.equal(parseRepquota('alice -- 1 2 3 4 5 6\n\x00\x01'), { entries: [], sections: 0, errors: [] });
});
parse.run();

const sum = suite('quotaByName');
sum('should sum usage over filesystems and sum limits only when every filesystem has one', () => {
  const m = quotaByName(parseRepquota(text('repquota', 'default.txt')).entries);
  assert.equal(m.get('alice'), { usedBytes: 1_500_000 * KiB, files: 4220, softLimitBytes: 1_500_000 * KiB, hardLimitBytes: 2_100_000 * KiB });
  // bob is limited on sda2 but not on sdb1: unlimited overall.
  assert.equal(m.get('bob'), { usedBytes: 53368 * KiB, files: 313 });
  assert.equal(m.get('root'), { usedBytes: 1834524 * KiB, files: 98231 });
});
sum('should count only the devices asked for', () => {
  const m = quotaByName(parseRepquota(text('repquota', 'default.txt')).entries, ['/dev/sdb1']);
  assert.equal([...m.keys()], ['alice', 'bob']);
  assert.equal(m.get('bob'), { usedBytes: 1024 * KiB, files: 2 });
});
sum.run();

const run = suite('runRepquota');
let tmp: Awaited<ReturnType<typeof tempDir>>;
run.before(async () => { tmp = await tempDir(); });
run.after(async () => { await tmp.cleanup(); });
run('should pass -a -u -n -p by default and return stdout', async () => {
  assert.equal([...DEFAULT_REPQUOTA_ARGS], ['-a', '-u', '-n', '-p']);
  const r = await runRepquota({ path: await fakeRepquota(tmp.dir, { fixture: 'ids-raw-grace.txt' }) });
  assert.ok(r.ok && r.value === text('repquota', 'ids-raw-grace.txt'));
});
run('should say "not found" for a missing executable', async () => {
  const r = await runRepquota({ path: '/nonexistent/repquota' });
  assert.equal(r, { ok: false, error: '/nonexistent/repquota: not found' });
});
run('should kill it and say so after the timeout', async () => {
  const t0 = Date.now();
  const r = await runRepquota({ path: await fakeRepquota(tmp.dir, { sleepS: 5 }), timeoutMs: 200 });
  assert.ok(Date.now() - t0 < 2000);
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'timed out after 200 ms');
});
run('should fail with the first stderr line on a non-zero exit without a report', async () => {
  const r = await runRepquota({ path: await fakeRepquota(tmp.dir, { exitCode: 1, stderr: 'repquota: Cannot find any quota file to work on.' }) });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'Cannot find any quota file');
});
run('should keep the report of a non-zero exit that printed one', async () => {
  const r = await runRepquota({ path: await fakeRepquota(tmp.dir, { fixture: 'default.txt', exitCode: 1, stderr: 'one filesystem failed' }) });
  assert.ok(r.ok);
});
run.run();
