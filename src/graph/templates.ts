/**
 * Per-job cache of compiled templates. Every string field is a template, so the same string is
 * scanned for dependencies, rendered at load, and sometimes rendered again at walk time; compiling
 * once per (position, text) keeps that linear. Strings without `{{` never reach the compiler.
 */
import type { SourcePosition } from '../errors.js';
import { locateInOrigin, type StringOrigin } from './string-origin.js';
import { compileTemplate, type ExecBudget, type Template } from './template/index.js';
import { defaultGuard, type RunGuard } from './guard.js';

/** The template functions the original adds on top of Go's builtins, by name. */
export const CONVERGE_FUNC_NAMES: readonly string[] = [
  'param',
  'paramList',
  'paramMap',
  'lookup',
  'env',
  'split',
  'join',
  'jsonify',
  'platform',
];

/** A static call found in a template: the function and its literal arguments (null when dynamic). */
export interface StaticCall {
  readonly name: string;
  readonly args: readonly (string | null)[];
}

export class TemplateCache {
  readonly #compiled = new Map<string, Template>();
  readonly #guard: RunGuard;
  /** What each render of this job may spend (the run's limits), and how it polls for a stop. */
  readonly budget: ExecBudget;
  /** The run's nesting limit (templates, and renders nested through params). */
  readonly maxNesting: number;

  constructor(guard: RunGuard = defaultGuard()) {
    this.#guard = guard;
    this.maxNesting = guard.limits.nesting;
    this.budget = Object.freeze({
      maxSteps: guard.limits.templateSteps,
      maxBytes: guard.limits.templateOutputBytes,
      poll: () => guard.check(),
    });
  }

  /** True when the text has no actions, so rendering returns it unchanged. */
  static isPlain(text: string): boolean {
    return !text.includes('{{');
  }

  /** Amortised stop check for loops over the job's templates (see RunGuard.poll). */
  poll(): void {
    this.#guard.poll();
  }

  /**
   * The compiled template of `text`. Errors name the file position inside the string when its `origin`
   * (where it was written) is known, and otherwise count from `pos`, the block or field it belongs to.
   */
  get(text: string, pos: SourcePosition, origin?: StringOrigin): Template {
    const at = origin?.pos ?? pos;
    const key = `${at.file}:${at.line}:${at.column}\u0000${text}`;
    let template = this.#compiled.get(key);
    if (template === undefined) {
      template = compileTemplate(text, {
        file: pos.file,
        line: pos.line,
        column: pos.column,
        funcNames: CONVERGE_FUNC_NAMES,
        ...(origin !== undefined ? { locate: (offset: number) => locateInOrigin(origin, offset) } : {}),
        maxNesting: this.#guard.limits.nesting,
      });
      this.#compiled.set(key, template);
    }
    return template;
  }

  /** Static calls of `text` (empty for plain strings). */
  calls(text: string, pos: SourcePosition, origin?: StringOrigin): readonly StaticCall[] {
    if (TemplateCache.isPlain(text)) return [];
    return this.get(text, pos, origin).calls();
  }
}

/** Every string inside a plain HCL value (lists and maps recursively). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}
