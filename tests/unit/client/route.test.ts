import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hrefFor, parseHash } from '../../../client/src/lib/route.js';

const parse = suite('parseHash');
parse('should route an empty hash, "#" and "#/" to the fleet', () => {
  for (const h of ['', '#', '#/']) assert.equal(parseHash(h), { name: 'fleet' });
});
parse('should route "#/hosts/<id>" to that host, with or without a trailing slash', () => {
  assert.equal(parseHash('#/hosts/12'), { name: 'host', id: 12 });
  assert.equal(parseHash('#/hosts/12/'), { name: 'host', id: 12 });
});
parse('should return notFound for a bad host id or an unknown path', () => {
  assert.equal(parseHash('#/hosts/0'), { name: 'notFound', path: '/hosts/0' });
  assert.equal(parseHash('#/hosts/abc'), { name: 'notFound', path: '/hosts/abc' });
  assert.equal(parseHash('#/nope'), { name: 'notFound', path: '/nope' });
});
parse.run();

const href = suite('hrefFor');
href('should build hashes that parseHash reads back', () => {
  assert.is(hrefFor({ name: 'fleet' }), '#/');
  assert.is(hrefFor({ name: 'host', id: 5 }), '#/hosts/5');
  assert.equal(parseHash(hrefFor({ name: 'host', id: 5 })), { name: 'host', id: 5 });
});
href.run();
