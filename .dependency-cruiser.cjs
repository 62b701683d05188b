/**
 * The layers of src/ and the direction of their imports (docs/architecture.md):
 *   cli -> frontdoor -> workers -> graph -> resources
 * A layer imports only layers below it; events travel back up as callbacks and messages, never as
 * imports. Leaves (src/go/, errors, defaults, protocol, assets, jwt) import no layer, and every layer may
 * import them. Only the CLI, and the binary's entry beside it, import the CLI. Graph, resources and
 * workers never import a transport. Import cycles are refused, type-only imports included.
 */
const LEAVES = '^src/(go/|errors[.]ts$|defaults[.]ts$|protocol[.]ts$|assets[.]ts$|jwt[.]ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle, type-only imports included: split the shared part into its own module',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'only the CLI (and the binary entry, src/sea-main.ts) may import src/cli/',
      from: { path: '^src/', pathNot: '^src/(cli/|sea-main[.]ts$)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'frontdoor-below-cli',
      severity: 'error',
      comment: 'the front door serves the CLI and remote clients; it does not reach back into the CLI',
      from: { path: '^src/frontdoor/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'workers-below-frontdoor',
      severity: 'error',
      comment: 'workers run jobs for the front door; they report back through events, not imports',
      from: { path: '^src/workers/' },
      to: { path: '^src/(cli|frontdoor)/' },
    },
    {
      name: 'graph-below-workers',
      severity: 'error',
      comment: 'the engine knows neither its caller nor a transport',
      from: { path: '^src/graph/' },
      to: { path: '^src/(cli|frontdoor|workers)/' },
    },
    {
      name: 'resources-at-the-bottom',
      severity: 'error',
      comment: 'resources are driven by the engine and know nothing above it',
      from: { path: '^src/resources/' },
      to: { path: '^src/(cli|frontdoor|workers|graph)/' },
    },
    {
      name: 'leaves-import-no-layer',
      severity: 'error',
      comment: 'leaf modules are importable from anywhere, so they import no layer',
      from: { path: LEAVES },
      to: { path: '^src/(cli|frontdoor|workers|graph|resources)/' },
    },
    {
      name: 'no-transport-below-frontdoor',
      severity: 'error',
      comment: 'gRPC and HTTP serving belong to the front door',
      from: { path: '^src/(workers|graph|resources|go)/|' + LEAVES },
      to: { path: '(^|/)node_modules/(@grpc/|grpc-health-check|protobufjs)' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'an import that does not resolve',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^build/' },
  },
};
