// The docker resource tests: they need an engine and a registry, so `npm test` does not run them.
// Run `bash scripts/docker-test-env.sh start`, load the env file it prints, then `npm run test:docker`.
export default {
  files: ['build/test/resources/docker/**/*.test.js', 'build/test/resources/docker/**/*.docker-test.js'],
  workerThreads: false,
  timeout: '120s',
  concurrency: 2,
};
