'use strict';
// Preloaded by test/gc.test.js (--require) to simulate a Node where gc() cannot be obtained.
require('node:vm').runInNewContext = () => {
  throw new Error('gc unavailable (test stub)');
};
