// Loaded with `node --import` before the CLI's TypeScript: where Node strips types itself
// (process.features.typescript: Node 22.18+, 23.6+; the npm scripts' Node 24), nothing is done
// and Node loads the .ts files, with their compiled form kept in Node's compile cache
// (src/cli/compile-cache.ts); elsewhere (Node 20, 22 before 22.18) tsx's hooks load them, as
// `node --import tsx` does. Node does not strip types under a node_modules folder (a checkout
// installed as a dependency): there too, tsx, for the CLI's own modules (the suites still cannot
// run from there: Playwright's runner leaves TypeScript under node_modules to Node).
//
// Why not tsx everywhere: its module hooks run in-thread on every import. On Node 24 here, loading
// the CLI and the reference provider took 0.50-0.61 s with Node's own stripping and a warm compile
// cache, against 0.84-0.99 s through tsx (4 runs each); in 6 interleaved pairs of default runs the
// run ended 0.8 s sooner on average (6 of 6), the first check 0.5 s sooner. The sources stay within what stripping allows
// (tsconfig.json: erasableSyntaxOnly, verbatimModuleSyntax), so both ways load the same code.
if (!process.features.typescript || import.meta.url.includes('/node_modules/')) await import('tsx');
