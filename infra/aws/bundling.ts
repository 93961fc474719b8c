/**
 * The ONE set of esbuild options for Lambda bundles. The CDK construct (NodejsFunction) and
 * scripts/bench-bundles.ts both derive their options from `lambdaBundle`, so the size and
 * import time we measure are those of what we deploy.
 *
 * The AWS SDK v3 is BUNDLED (externalModules: []), not taken from the runtime:
 * - the version that runs is the one in package-lock.json, the one our adapter tests ran
 *   against; the runtime's copy changes under us with every Lambda runtime patch;
 * - with mainFields ['module', 'main'] esbuild tree-shakes the ESM builds of the clients, so a
 *   function pays only for the commands it imports (measured by scripts/bench-bundles.ts);
 * - loading one minified file is faster than resolving hundreds of files of the runtime SDK.
 */
import type { BuildOptions } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** CJS dependencies bundled into ESM still call `require` (e.g. for node built-ins). */
export const CJS_REQUIRE_BANNER =
  "import { createRequire as __pagopaCreateRequire } from 'node:module'; const require = __pagopaCreateRequire(import.meta.url);";

export const lambdaBundle = {
  target: 'node22',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourceMap: true,
  /** the map keeps names and lines for stack traces; the sources themselves stay out */
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: CJS_REQUIRE_BANNER,
  externalModules: [] as string[],
  /** what NodejsFunction names an ESM bundle */
  outFile: 'index.mjs',
} as const;

/** Options for NodejsFunction (local esbuild, never Docker). */
export function cdkBundlingOptions(): BundlingOptions {
  return {
    target: lambdaBundle.target,
    format: lambdaBundle.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
    minify: lambdaBundle.minify,
    sourceMap: lambdaBundle.sourceMap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    banner: lambdaBundle.banner,
    externalModules: [...lambdaBundle.externalModules],
    forceDockerBundling: false,
  };
}

/** The same options for esbuild's JS API (what NodejsFunction passes on its command line). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    target: lambdaBundle.target,
    platform: lambdaBundle.platform,
    format: lambdaBundle.format,
    minify: lambdaBundle.minify,
    sourcemap: lambdaBundle.sourceMap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    banner: { js: lambdaBundle.banner },
    external: [...lambdaBundle.externalModules],
    logLevel: 'warning',
  };
}
