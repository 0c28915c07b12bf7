/**
 * The layer rules of STYLE.md, checked in `npm test` (`npm run lint:layers`): dependencies point
 * inward only (domain ← application ← adapters ← infrastructure), only the composition root and the
 * adapters themselves reach concrete adapters, and nothing imports in a circle.
 *
 * Type-only imports count (`tsPreCompilationDeps`): `import type` from an adapter couples the inner
 * layer to it just as much.
 */

/** Builtins that compute (hashes, HMACs, random ids) rather than touch the outside world. */
const PURE_BUILTINS = ['crypto'];
/** Stream plumbing the ports are shaped with (Readable bodies, pipeline); no I/O of its own. */
const STREAM_BUILTINS = ['stream', 'stream/promises'];

const exactly = (names) => `^(node:)?(${names.map((n) => n.replace('/', '\\/')).join('|')})$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared part out, or invert one of the edges.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'The domain is pure: entities, value objects and errors, no framework, no I/O, no npm package.',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', exactly(PURE_BUILTINS)] },
    },
    {
      name: 'application-imports-only-domain-and-application',
      severity: 'error',
      comment:
        'Use cases and ports depend on the domain and on each other only; anything with I/O or a vendor SDK ' +
        'is reached through a port that an adapter implements.',
      from: { path: '^src/application/' },
      to: { pathNot: ['^src/(domain|application)/', exactly([...PURE_BUILTINS, ...STREAM_BUILTINS])] },
    },
    {
      name: 'only-infrastructure-imports-adapters',
      severity: 'error',
      comment: 'Concrete adapters are chosen in the composition root (src/infrastructure); inner layers see ports.',
      from: { pathNot: '^src/(adapters|infrastructure)/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'nothing-imports-infrastructure',
      severity: 'error',
      comment: 'The composition root is the outermost layer: config, wiring and process start are imported by no one.',
      from: { pathNot: '^src/infrastructure/' },
      to: { path: '^src/infrastructure/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
