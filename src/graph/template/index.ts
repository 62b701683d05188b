/**
 * Go text/template for Converge's string fields. A template is compiled once (lexed, parsed, with
 * function names checked as Go does at parse time) and then executed any number of times with a dot
 * value and a function map. Errors carry the position inside the module file:
 * `<file>:<line>:<col>: template: <problem>`.
 */
import { ConvergeError } from '../../errors.js';
import { UNLIMITED, type ExecBudget } from './budget.js';
import { BUILTINS } from './builtins.js';
import { executeTree, type FuncMap, type LimitTrip } from './exec.js';
import { limitDetails } from '../limits.js';
import type { ArgNode, ListNode, PipeNode } from './nodes.js';
import { parseTemplate, TemplateSyntaxError } from './parser.js';

export type { FuncMap, TemplateFunc } from './exec.js';
export type { ExecBudget } from './budget.js';
export { formatValue } from './values.js';

export interface TemplateOptions {
  /** For error messages. @default "<template>" */
  readonly file?: string;
  /** Line of the template's first character in `file`. @default 1 */
  readonly line?: number;
  /** Column of the template's first character in `file`. @default 1 */
  readonly column?: number;
  /** Names of the functions the caller will supply (Go checks names at parse time). */
  readonly funcNames: readonly string[];
  /**
   * Maps an offset into `source` to its line and column in `file`, for sources that were decoded from
   * the file (escapes, heredoc indentation); `line` and `column` are ignored when it is given.
   */
  readonly locate?: (offset: number) => { readonly line: number; readonly column: number };
  /** How deep control structures and parentheses may nest (CNV_ERR_LIMIT_NESTING past it). @default unlimited */
  readonly maxNesting?: number;
}

/** One call of a named function found in the tree. `args` holds string literals; null where not one. */
export interface StaticCall {
  readonly name: string;
  readonly args: readonly (string | null)[];
}

export interface Template {
  /**
   * Renders with `dot` as `.` and `$`. Throws CNV_ERR_TEMPLATE_EXEC (a throwing function is the cause),
   * or a CNV_ERR_LIMIT_* error when the render goes past its budget.
   */
  execute(dot: unknown, funcs: FuncMap, budget?: ExecBudget): string;
  /** Every call of a named function, nested and piped ones included, in source order (outer first). */
  calls(): readonly StaticCall[];
}

/** The functions every template has, whatever the caller supplies. */
export const BUILTIN_FUNC_NAMES: readonly string[] = Object.freeze(Object.keys(BUILTINS));

const NO_CALLS: readonly StaticCall[] = Object.freeze([]);

/**
 * Compiles `source`. Throws CNV_ERR_TEMPLATE_PARSE with the position of the problem. A source
 * without `{{` is plain text and costs no parsing.
 */
export function compileTemplate(source: string, options: TemplateOptions): Template {
  if (!source.includes('{{')) return new TextTemplate(source);
  const where = new Where(source, options);
  const known = knownFunctions(options.funcNames);
  let tree: ListNode;
  try {
    tree = parseTemplate(source, (name) => known.has(name), options.maxNesting);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    const pos = where.at(error.offset);
    throw new ConvergeError(error.code ?? 'CNV_ERR_TEMPLATE_PARSE', `${pos.text}: template: ${error.message}`, {
      ...(error.code === undefined ? {} : limitDetails('nesting', options.maxNesting ?? Number.POSITIVE_INFINITY)),
      file: pos.file,
      line: pos.line,
      column: pos.column,
    });
  }
  return new TreeTemplate(tree, where);
}

// Callers pass the same funcNames array for every field, so the name set is built once per array.
const knownByNames = new WeakMap<readonly string[], ReadonlySet<string>>();

function knownFunctions(funcNames: readonly string[]): ReadonlySet<string> {
  let known = knownByNames.get(funcNames);
  if (known === undefined) {
    known = new Set([...BUILTIN_FUNC_NAMES, ...funcNames]);
    knownByNames.set(funcNames, known);
  }
  return known;
}

class TextTemplate implements Template {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  execute(): string {
    return this.#text;
  }
  calls(): readonly StaticCall[] {
    return NO_CALLS;
  }
}

class TreeTemplate implements Template {
  readonly #tree: ListNode;
  readonly #where: Where;
  #calls: readonly StaticCall[] | undefined;

  constructor(tree: ListNode, where: Where) {
    this.#tree = tree;
    this.#where = where;
  }

  execute(dot: unknown, funcs: FuncMap, budget: ExecBudget = UNLIMITED): string {
    const fail = (offset: number, at: string, problem: string, cause?: unknown, limit?: LimitTrip): never => {
      const pos = this.#where.at(offset);
      throw new ConvergeError(
        limit?.code ?? 'CNV_ERR_TEMPLATE_EXEC',
        `${pos.text}: template: executing at <${at}>: ${problem}`,
        { ...limit?.details, file: pos.file, line: pos.line, column: pos.column },
        cause === undefined ? undefined : { cause },
      );
    };
    return executeTree(this.#tree, dot, funcs, fail, budget);
  }

  calls(): readonly StaticCall[] {
    this.#calls ??= Object.freeze(collectCalls(this.#tree));
    return this.#calls;
  }
}

/** Maps offsets in the template to positions in the file it was written in. */
class Where {
  readonly #source: string;
  readonly #file: string;
  readonly #line: number;
  readonly #column: number;
  readonly #locate: TemplateOptions['locate'];

  constructor(source: string, options: TemplateOptions) {
    this.#source = source;
    this.#file = options.file ?? '<template>';
    this.#line = options.line ?? 1;
    this.#column = options.column ?? 1;
    this.#locate = options.locate;
  }

  at(offset: number): { file: string; line: number; column: number; text: string } {
    if (this.#locate !== undefined) {
      const { line, column } = this.#locate(offset);
      return { file: this.#file, line, column, text: `${this.#file}:${line}:${column}` };
    }
    const before = this.#source.slice(0, offset);
    const lastNewline = before.lastIndexOf('\n');
    let line = this.#line;
    let column: number;
    if (lastNewline < 0) column = this.#column + offset;
    else {
      for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
      column = offset - lastNewline;
    }
    return { file: this.#file, line, column, text: `${this.#file}:${line}:${column}` };
  }
}

// --- static call discovery ------------------------------------------------------------------------

function collectCalls(list: ListNode): StaticCall[] {
  const out: StaticCall[] = [];
  const visitList = (nodes: ListNode): void => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'action':
          visitPipe(node.pipe);
          break;
        case 'if':
        case 'with':
        case 'range':
          visitPipe(node.pipe);
          visitList(node.list);
          if (node.elseList !== null) visitList(node.elseList);
          break;
        default:
          break;
      }
    }
  };
  const literal = (arg: ArgNode): string | null => (arg.kind === 'string' ? arg.value : null);
  const visitArg = (arg: ArgNode): void => {
    switch (arg.kind) {
      case 'identifier':
        out.push({ name: arg.name, args: [] });
        break;
      case 'chain':
        visitArg(arg.node);
        break;
      case 'pipe':
        visitPipe(arg.pipe);
        break;
      default:
        break;
    }
  };
  const visitPipe = (pipe: PipeNode): void => {
    pipe.cmds.forEach((cmd, i) => {
      const [first, ...rest] = cmd.args;
      if (first?.kind === 'identifier') {
        const args = rest.map(literal);
        if (i > 0) {
          // The previous stage's value becomes the last argument; it is known only if that stage
          // is a bare string literal (`"x" | param`).
          const prev = pipe.cmds[i - 1]!.args;
          args.push(prev.length === 1 ? literal(prev[0]!) : null);
        }
        out.push({ name: first.name, args });
      } else if (first !== undefined) {
        visitArg(first);
      }
      rest.forEach(visitArg);
    });
  };
  visitList(list);
  return out;
}
