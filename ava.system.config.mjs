// The system resource tests: they install and purge Debian packages and add users and groups on this
// machine, so they need root and are not part of `npm test`. `.ci/run` runs them; by hand, as root:
// `npm run test:system`.
export default {
  files: ['build/test/**/*.system-test.js'],
  workerThreads: false,
  timeout: '300s',
  concurrency: 2,
};
