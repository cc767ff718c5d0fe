import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PageCursors, usageCsvHref, usageQueryString } from '../../../client/src/lib/usage.js';
import { agentCommands, shellQuote } from '../../../client/src/lib/agent-command.js';

const q = suite('usageQueryString');
q('should send the search, the cursor and the limit for a JSON page', () => {
  assert.is(usageQueryString({ search: ' alice ', after: 'abc', limit: 50 }), 'account=alice&after=abc&limit=50&format=json');
  assert.is(usageQueryString({ search: '', after: null, limit: 50 }), 'limit=50&format=json');
});
q('should link the CSV of the whole search, without cursor or limit', () => {
  assert.is(usageCsvHref({ search: 'a&b', after: 'abc', limit: 50 }), '/api/usage?account=a%26b&format=csv');
});
q.run();

const c = suite('PageCursors');
c('should go forward with the next cursor and back without an offset', () => {
  const p = new PageCursors();
  assert.is(p.current, null);
  p.next('x');
  p.next('y');
  assert.equal([p.current, p.page, p.hasPrevious], ['y', 3, true]);
  p.previous();
  assert.is(p.current, 'x');
  p.reset();
  assert.equal([p.current, p.page, p.hasPrevious], [null, 1, false]);
  p.previous();
  assert.is(p.page, 1);
});
c.run();

const a = suite('agentCommands');
a('should give the exact commands with the hub origin and the token', () => {
  assert.equal(agentCommands('https://hub.example.net', 'rpa_abc-123'), {
    checkout: 'npm run agent -- --hub https://hub.example.net --token rpa_abc-123',
    singleFile: 'node rackpulse-agent.mjs --hub https://hub.example.net --token rpa_abc-123',
  });
});
a('should quote anything a shell would interpret', () => {
  assert.is(shellQuote("a b'c"), `'a b'\\''c'`);
});
a.run();
