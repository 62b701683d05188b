/**
 * The parse tree of a template. Every node that can fail at execution time keeps `pos`, the offset
 * of its first character in the template source, so errors can name a line and column.
 */

import type { GoFloat } from './values.js';

export type Node = TextNode | ActionNode | IfNode | RangeNode | BreakNode;
export type ListNode = readonly Node[];

export interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}

/** `{{pipeline}}`: prints the value unless the pipeline declares variables. */
export interface ActionNode {
  readonly kind: 'action';
  readonly pos: number;
  readonly pipe: PipeNode;
}

/** `if` and `with` share a shape; `with` also moves dot to the pipeline's value. */
export interface IfNode {
  readonly kind: 'if' | 'with';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}

export interface RangeNode {
  readonly kind: 'range';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}

export interface BreakNode {
  readonly kind: 'break' | 'continue';
  readonly pos: number;
}

export interface PipeNode {
  readonly pos: number;
  /** `$x = ...` rather than `$x := ...`. */
  readonly isAssign: boolean;
  /** Declared or assigned variable names, `$` included, in source order. */
  readonly decl: readonly string[];
  readonly cmds: readonly CommandNode[];
}

export interface CommandNode {
  readonly pos: number;
  readonly args: readonly ArgNode[];
}

export type ArgNode =
  | { readonly kind: 'field'; readonly pos: number; readonly idents: readonly string[] }
  | { readonly kind: 'variable'; readonly pos: number; readonly name: string; readonly idents: readonly string[] }
  | { readonly kind: 'chain'; readonly pos: number; readonly node: ArgNode; readonly fields: readonly string[] }
  | { readonly kind: 'identifier'; readonly pos: number; readonly name: string }
  | { readonly kind: 'dot'; readonly pos: number }
  | { readonly kind: 'nil'; readonly pos: number }
  | { readonly kind: 'bool'; readonly pos: number; readonly value: boolean }
  | { readonly kind: 'number'; readonly pos: number; readonly value: number | GoFloat; readonly text: string }
  | { readonly kind: 'string'; readonly pos: number; readonly value: string; readonly text: string }
  | { readonly kind: 'pipe'; readonly pos: number; readonly pipe: PipeNode };

/** Source-like rendering of a node, used in error messages (`at <param "x">`), as Go does. */
export function argString(arg: ArgNode): string {
  switch (arg.kind) {
    case 'field':
      return arg.idents.map((i) => `.${i}`).join('');
    case 'variable':
      return arg.name + arg.idents.map((i) => `.${i}`).join('');
    case 'chain': {
      const inner = arg.node.kind === 'pipe' ? `(${argString(arg.node)})` : argString(arg.node);
      return inner + arg.fields.map((f) => `.${f}`).join('');
    }
    case 'identifier':
      return arg.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(arg.value);
    case 'number':
    case 'string':
      return arg.text;
    case 'pipe':
      return `(${pipeString(arg.pipe)})`;
  }
}

export function commandString(cmd: CommandNode): string {
  return cmd.args.map(argString).join(' ');
}

export function pipeString(pipe: PipeNode): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(', ')} ${pipe.isAssign ? '=' : ':='} ` : '';
  return decl + pipe.cmds.map(commandString).join(' | ');
}
