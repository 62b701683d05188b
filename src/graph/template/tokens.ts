/** The tokens the lexer produces, as in Go's text/template/parse item types. */

export type TokenType =
  | 'eof'
  | 'error'
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'char' // a lone printable ASCII character, in practice `,`
  | 'bool'
  | 'charConstant'
  | 'dot'
  | 'field'
  | 'identifier'
  | 'nil'
  | 'number'
  | 'string'
  | 'rawString'
  | 'variable'
  | Keyword;

export type Keyword = 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'range' | 'template' | 'with';

export const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

export interface Token {
  readonly type: TokenType;
  /** Source text of the token (for `text`, the text after trimming; for `error`, the message). */
  readonly val: string;
  /** Offset of the token in the template source. */
  readonly pos: number;
}

export function isKeyword(type: TokenType): type is Keyword {
  return KEYWORDS.has(type);
}
