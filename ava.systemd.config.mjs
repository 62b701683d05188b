// The systemd.unit.state tests: they need a real systemd, so `npm test` does not run them.
// Run `bash scripts/systemd-test-env.sh start`, load the env file it prints, then `npm run test:systemd`.
export default {
  files: ['build/test/resources/systemd/**/*.systemd-test.js'],
  workerThreads: false,
  timeout: '120s',
  concurrency: 2,
};
