import { compileTemplate, type FuncMap, type TemplateOptions } from '../../../src/graph/template/index.js';

/** Compiles and runs `source` with the given dot and functions (function names taken from `funcs`). */
export function render(source: string, dot?: unknown, funcs: FuncMap = {}, options: Partial<TemplateOptions> = {}): string {
  return compileTemplate(source, { funcNames: Object.keys(funcs), ...options }).execute(dot, funcs);
}

/** The error a render throws (fails the test by rethrowing anything that is not thrown). */
export function renderError(source: string, dot?: unknown, funcs: FuncMap = {}, options: Partial<TemplateOptions> = {}): Error & { code?: string } {
  try {
    render(source, dot, funcs, options);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

/** A short, unique-enough description of a dot value for test titles. */
export function describe(value: unknown): string {
  if (value === undefined) return 'no dot';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
    return `${value.constructor.name} ${JSON.stringify(value)}`;
  }
  return JSON.stringify(value);
}
