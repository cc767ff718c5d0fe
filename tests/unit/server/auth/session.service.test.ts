import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCookie, SESSION_COOKIE } from '../../../../server/auth/session.service.js';

const rc = suite('readCookie');

rc('should find a cookie among several', () => {
  assert.is(readCookie('theme=dark; rp_session=abc123; lang=en', 'rp_session'), 'abc123');
  assert.is(readCookie('rp_session=first; theme=dark', 'rp_session'), 'first');
  assert.is(readCookie('theme=dark; rp_session=last', 'rp_session'), 'last');
});

rc('should read the session cookie by SESSION_COOKIE', () => {
  assert.is(readCookie(`a=1; ${SESSION_COOKIE}=tok`, SESSION_COOKIE), 'tok');
});

rc('should ignore spaces around names and values, or their absence', () => {
  assert.is(readCookie('a=1;rp_session=x', 'rp_session'), 'x');
  assert.is(readCookie('a=1;   rp_session  =  x  ;b=2', 'rp_session'), 'x');
});

rc('should return undefined when the cookie is missing or there is no header', () => {
  assert.is(readCookie('theme=dark; lang=en', 'rp_session'), undefined);
  assert.is(readCookie('', 'rp_session'), undefined);
  assert.is(readCookie(undefined, 'rp_session'), undefined);
});

rc('should match the whole name, not a prefix or suffix', () => {
  assert.is(readCookie('rp_session_old=1; xrp_session=2', 'rp_session'), undefined);
  assert.is(readCookie('rp_session_old=1; rp_session=3', 'rp_session'), '3');
  assert.is(readCookie('rp=1', 'rp_session'), undefined);
});

rc('should not treat a value that looks like name=value as a cookie', () => {
  assert.is(readCookie('other=rp_session=evil', 'rp_session'), undefined);
});

rc('should keep "=" inside the value', () => {
  assert.is(readCookie('rp_session=YWJj==; a=1', 'rp_session'), 'YWJj==');
});

rc('should skip parts without a name or without "="', () => {
  assert.is(readCookie('flag; =orphan; rp_session=x', 'rp_session'), 'x');
});

rc('should return an empty string for an empty value', () => {
  assert.is(readCookie('rp_session=; a=1', 'rp_session'), '');
});

rc('should percent-decode the value', () => {
  assert.is(readCookie('rp_session=a%20b%3Dc%3B', 'rp_session'), 'a b=c;');
  assert.is(readCookie('n=caf%C3%A9', 'n'), 'caf\u00e9');
});

rc('should return undefined for malformed percent-encoding', () => {
  for (const v of ['%', '%E0%A4%A', '%ZZ', 'abc%']) assert.is(readCookie(`rp_session=${v}`, 'rp_session'), undefined, v);
});

rc('should not be upset by malformed encoding in another cookie', () => {
  assert.is(readCookie('bad=%ZZ; rp_session=ok', 'rp_session'), 'ok');
});

rc('should return the first of two cookies with the same name', () => {
  // Browsers send the cookie with the longest path first (RFC 6265 §5.4).
  assert.is(readCookie('rp_session=specific; rp_session=general', 'rp_session'), 'specific');
});

rc.run();
