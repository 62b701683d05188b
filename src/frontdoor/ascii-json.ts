/**
 * JSON for header values. HTTP/2 and HTTP/1.1 header values must be visible ASCII (Node refuses
 * anything else, and grpc-js drops such metadata), yet node names and params may be any Unicode.
 * JSON's own \uXXXX escapes keep the text valid JSON that decodes to the same value in any JSON
 * library, the original's Go client included, so no new encoding is needed on the client side.
 */

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const NOT_PRINTABLE_ASCII_ALL = /[^\x20-\x7e]/g;

/** JSON.stringify, with every character outside printable ASCII written as a \uXXXX escape. */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Most edge lists are plain ASCII already; testing is much cheaper than a replace that finds nothing.
  if (!NOT_PRINTABLE_ASCII.test(json)) return json;
  // Code units, not code points: astral characters become their surrogate pair, as JSON expects.
  return json.replace(NOT_PRINTABLE_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
