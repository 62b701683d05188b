/** ANSI styles as the original's printers emit them: a colour code, the text, then a full reset. */

export interface Style {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

const RESET = '\x1b[0m';
const wrap = (code: string) => (text: string) => `\x1b[${code}m${text}${RESET}`;
const plain = (text: string): string => text;

export const COLOR_STYLE: Style = Object.freeze({
  red: wrap('31'),
  green: wrap('32'),
  yellow: wrap('33'),
  cyan: wrap('36'),
  bold: wrap('1'),
  dim: wrap('2'),
});

export const PLAIN_STYLE: Style = Object.freeze({
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
  bold: plain,
  dim: plain,
});

/** Picks the style for a stream: colour only on a TTY, and never with --nocolor or NO_COLOR set. */
export function styleFor(stream: { readonly isTTY?: boolean }, noColor: boolean): Style {
  return stream.isTTY === true && !noColor && process.platform !== 'win32' ? COLOR_STYLE : PLAIN_STYLE;
}
