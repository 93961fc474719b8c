/**
 * The ONE set of esbuild options for Lambda bundles. The CDK construct (NodejsFunction) and
 * scripts/bench-bundles.ts both derive their options from `lambdaBundle`, so the size and
 * import time we measure are those of what we deploy.
 *
 * The AWS SDK v3 comes from the Lambda runtime (externalModules: ['@aws-sdk/*']): nodejs22.x
 * ships every v3 client, lib-dynamodb and util-dynamodb. Bundling it cost ~300 KB per function
 * (smithy core alone 131 KB) and put every bundle above the 300 KB target; what remains in our
 * bundles is our code, zod (tree-shaken, ~90 KB) and Powertools. The price: the SDK version
 * that runs is the runtime's, not the lock file's. Our adapters use only long-stable commands
 * (DynamoDB, SQS, S3, SES, Secrets Manager), and the tests pin the version we develop against.
 * Measured by scripts/bench-bundles.ts (size, and import time with the SDK resolved from disk).
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
  externalModules: ['@aws-sdk/*'] as string[],
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
