import { defineConfig } from 'vitest/config';

/** `npm run test:xsd`: the codec's XML against pagoPA's paForNode.xsd (needs PAGOPA_API_GIT_DIR). */
export default defineConfig({
  test: { include: ['test/conformance/**/*.test.ts'], environment: 'node' },
});
