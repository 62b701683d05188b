/**
 * The program version. A constant rather than a read of package.json, so that it survives bundling into
 * the self-contained binary; a test keeps it equal to package.json's version.
 */
export const VERSION = '0.1.0';
