'use strict';
// The test-side validator must accept every valid example and reject every invalid one, or the
// run tests that rely on it would prove nothing.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { validate } = require('../test-support/schema-subset');
const { REPO_ROOT, loadSchema } = require('../test-support/run-runner');

const schema = loadSchema(); // result.schema.json composed with the contract
const examples = path.join(REPO_ROOT, 'schema', 'examples');

function documents(kind) {
  const dir = path.join(examples, kind);
  return fs.readdirSync(dir).filter((name) => name.endsWith('.json'))
    .map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))]);
}

test('there are valid and invalid examples', () => {
  assert.ok(documents('valid').length > 0);
  assert.ok(documents('invalid').length > 0);
});

for (const [name, doc] of documents('valid')) {
  test(`valid example passes: ${name}`, () => {
    assert.deepEqual(validate(schema, doc), []);
  });
}

for (const [name, doc] of documents('invalid')) {
  test(`invalid example fails: ${name}`, () => {
    assert.notDeepEqual(validate(schema, doc), []);
  });
}
