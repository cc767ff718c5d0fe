// AgentConnection itself is exercised by the integration tests against the real hub.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { socketTarget } from '../../../agent/connection.js';

const target = suite('socketTarget');
target('should use the /agent namespace at the default socket.io path', () => {
  assert.equal(socketTarget('http://hub:8080'), { url: 'http://hub:8080/agent', path: '/socket.io/' });
  assert.equal(socketTarget('https://hub.example.net/'), { url: 'https://hub.example.net/agent', path: '/socket.io/' });
});
target('should mount socket.io under the path of a hub behind a prefix', () => {
  assert.equal(socketTarget('https://example.net/rackpulse/'), { url: 'https://example.net/agent', path: '/rackpulse/socket.io/' });
});
target('should throw on a string that is not a URL', () => {
  assert.throws(() => socketTarget('hub 8080'));
});
target.run();
