/**
 * Executes a parsed template against a dot value, following Go's text/template exec.go: how each
 * command kind is evaluated, how a pipeline's value becomes the last argument of the next command,
 * variable scoping (a control structure's variables end with it), range over lists and sorted map
 * keys, short-circuit `and`/`or`, and which values print as `<no value>`.
 */
import { getErrorMessage } from '../../errors.js';
import { stopsRun } from '../limits.js';
import { BudgetExceeded, metered, UNLIMITED, type ExecBudget } from './budget.js';
import { ExecMeter, type ExecFail } from './exec-meter.js';
import { BUILTINS, isTrue } from './builtins.js';
import type { ArgNode, CommandNode, IfNode, ListNode, PipeNode, RangeNode } from './nodes.js';
import { argString, commandString } from './nodes.js';
import { formatValue, GoFloat, goKind, goTypeName, hasStructMember, sortedKeys } from './values.js';

export type TemplateFunc = (...args: unknown[]) => unknown;
export type FuncMap = Readonly<Record<string, TemplateFunc>>;
export type { ExecFail, LimitTrip } from './exec-meter.js';

/** Marks "no value piped in" (Go's missingVal), distinct from undefined, which is a real "no value". */
const MISSING: unique symbol = Symbol('missing');
type Piped = unknown;

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Signal = typeof NORMAL | typeof BREAK | typeof CONTINUE;

/** Runs `list` with `dot` and returns the output text. */
export function executeTree(list: ListNode, dot: unknown, funcs: FuncMap, fail: ExecFail, budget: ExecBudget = UNLIMITED): string {
  // Go's Execute(w, nil) has no data at all, so a null dot behaves as a missing one: `.x` is <no value>.
  const root = dot === null ? undefined : dot;
  const state = new State(root, funcs, fail, budget);
  metered(state.meter, () => state.walk(root, list));
  return state.out;
}

class State {
  out = '';
  readonly #funcs: FuncMap;
  readonly #fail: ExecFail;
  readonly meter: ExecMeter;
  // The variable stack. Entries at or above #size are stale; shrinking is just moving #size, which is
  // much cheaper than truncating arrays on every control structure and range iteration.
  readonly #names: string[] = ['$'];
  readonly #values: unknown[];
  #size = 1;

  constructor(dot: unknown, funcs: FuncMap, fail: ExecFail, budget: ExecBudget) {
    this.#values = [dot];
    this.#funcs = funcs;
    this.#fail = fail;
    this.meter = new ExecMeter(budget, fail);
  }

  // --- budget -------------------------------------------------------------------------------------

  #append(pos: number, at: () => string, text: string): void {
    try {
      this.meter.charge(text.length);
    } catch (error) {
      this.meter.overBudget(pos, at(), error);
    }
    this.out += text;
  }

  // --- variables ----------------------------------------------------------------------------------

  #push(name: string, value: unknown): void {
    this.#names[this.#size] = name;
    this.#values[this.#size] = value;
    this.#size++;
  }

  #pop(mark: number): void {
    this.#size = mark;
  }

  #varIndex(name: string, pos: number, at: () => string): number {
    for (let i = this.#size - 1; i >= 0; i--) if (this.#names[i] === name) return i;
    this.#fail(pos, at(), `undefined variable: ${name}`);
  }

  // --- walking ------------------------------------------------------------------------------------

  walk(dot: unknown, list: ListNode): Signal {
    for (let i = 0; i < list.length; i++) {
      const node = list[i]!;
      switch (node.kind) {
        case 'text':
          this.#append(0, () => 'text', node.text);
          break;
        case 'action': {
          this.meter.step(node.pos, () => pipeText(node.pipe));
          const value = this.#evalPipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) this.#print(node.pipe, value);
          break;
        }
        case 'if':
        case 'with': {
          const signal = this.#walkIfOrWith(dot, node);
          if (signal !== NORMAL) return signal;
          break;
        }
        case 'range': {
          const signal = this.#walkRange(dot, node);
          if (signal !== NORMAL) return signal;
          break;
        }
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
      }
    }
    return NORMAL;
  }

  #print(pipe: PipeNode, value: unknown): void {
    const at = (): string => pipeText(pipe);
    if (value === undefined || value === null) {
      this.#append(pipe.pos, at, '<no value>');
      return;
    }
    if (typeof value === 'function') {
      this.#fail(pipe.pos, pipeText(pipe), `can't print ${pipeText(pipe)} of type ${goTypeName(value)}`);
    }
    let text: string;
    try {
      text = formatValue(value);
    } catch (error) {
      this.meter.overBudget(pipe.pos, at(), error);
    }
    this.#append(pipe.pos, at, text);
  }

  #walkIfOrWith(dot: unknown, node: IfNode): Signal {
    this.meter.step(node.pos, () => pipeText(node.pipe));
    const mark = this.#size;
    const value = this.#evalPipeline(dot, node.pipe);
    let signal: Signal = NORMAL;
    if (isTrue(value)) signal = this.walk(node.kind === 'with' ? value : dot, node.list);
    else if (node.elseList !== null) signal = this.walk(dot, node.elseList);
    this.#pop(mark);
    return signal;
  }

  #walkRange(dot: unknown, node: RangeNode): Signal {
    const mark = this.#size;
    const value = this.#evalPipeline(dot, node.pipe);
    const decl = node.pipe.decl;
    const top = this.#size;
    const one = (index: unknown, elem: unknown): Signal => {
      if (decl.length > 0) {
        if (node.pipe.isAssign) this.#setVar(decl[0]!, decl.length > 1 ? index : elem, node.pipe);
        else this.#values[top - 1] = elem;
      }
      if (decl.length > 1) {
        if (node.pipe.isAssign) this.#setVar(decl[1]!, elem, node.pipe);
        else this.#values[top - 2] = index;
      }
      this.meter.step(node.pos, () => `range ${pipeText(node.pipe)}`);
      const inner = this.#size;
      const signal = this.walk(elem, node.list);
      this.#pop(inner);
      return signal;
    };
    let ran = false;
    let signal: Signal;
    const kind = goKind(value);
    if (kind === 'slice') {
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) {
        ran = true;
        signal = one(i, list[i] ?? null);
        if (signal === BREAK) break;
      }
    } else if (kind === 'map') {
      const map = value as Record<string, unknown>;
      for (const key of sortedKeys(map)) {
        ran = true;
        signal = one(key, map[key]);
        if (signal === BREAK) break;
      }
    } else if (kind === 'int') {
      if (decl.length > 1) {
        this.#fail(node.pos, pipeText(node.pipe), `can't use ${formatValue(value)} to iterate over more than one variable`);
      }
      for (let i = 0; i < (value as number); i++) {
        ran = true;
        signal = one(i, i);
        if (signal === BREAK) break;
      }
    } else if (kind !== 'invalid' && kind !== 'nil') {
      this.#fail(node.pos, pipeText(node.pipe), `range can't iterate over ${formatValue(value)}`);
    }
    // break/continue inside the body end at this range. In its else branch they belong to an
    // enclosing range, but Go ends a range statement on any break raised inside it, else branch
    // included; so only a continue is passed on, as in Go.
    const after = !ran && node.elseList !== null ? this.walk(dot, node.elseList) : NORMAL;
    this.#pop(mark);
    return after === CONTINUE ? CONTINUE : NORMAL;
  }

  #setVar(name: string, value: unknown, pipe: PipeNode): void {
    this.#values[this.#varIndex(name, pipe.pos, () => pipeText(pipe))] = value;
  }

  // --- evaluation ---------------------------------------------------------------------------------

  #evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: Piped = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) value = this.#evalCommand(dot, cmds[i]!, value);
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      if (pipe.isAssign) this.#setVar(decl[i]!, value, pipe);
      else this.#push(decl[i]!, value);
    }
    return value;
  }

  #notAFunction(cmd: CommandNode, final: Piped): void {
    if (cmd.args.length > 1 || final !== MISSING) {
      const first = cmd.args[0]!;
      this.#fail(first.pos, commandString(cmd), `can't give argument to non-function ${argString(first)}`);
    }
  }

  #evalCommand(dot: unknown, cmd: CommandNode, final: Piped): unknown {
    const first = cmd.args[0]!;
    this.meter.step(cmd.pos, () => commandString(cmd));
    switch (first.kind) {
      case 'field':
        return this.#evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case 'chain':
        return this.#evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return this.#evalFunction(dot, first, cmd.args, final);
      case 'pipe':
        this.#notAFunction(cmd, final);
        return this.#evalPipeline(dot, first.pipe);
      case 'variable':
        return this.#evalVariable(dot, first, cmd.args, final);
      default:
        break;
    }
    this.#notAFunction(cmd, final);
    switch (first.kind) {
      case 'bool':
      case 'number':
      case 'string':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.#fail(first.pos, 'nil', 'nil is not a command');
    }
  }

  #evalArg(dot: unknown, arg: ArgNode): unknown {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.#evalFieldChain(dot, dot, arg, arg.idents, [arg], MISSING);
      case 'variable':
        return this.#evalVariable(dot, arg, [arg], MISSING);
      case 'pipe':
        return this.#evalPipeline(dot, arg.pipe);
      case 'identifier':
        return this.#evalFunction(dot, arg, [arg], MISSING);
      case 'chain':
        return this.#evalChain(dot, arg, [arg], MISSING);
      case 'bool':
      case 'number':
      case 'string':
        return arg.value;
    }
  }

  #evalVariable(dot: unknown, node: ArgNode & { kind: 'variable' }, args: readonly ArgNode[], final: Piped): unknown {
    const value = this.#values[this.#varIndex(node.name, node.pos, () => argString(node))];
    if (node.idents.length === 0) {
      if (args.length > 1 || final !== MISSING) {
        this.#fail(node.pos, argString(node), `can't give argument to non-function ${argString(node)}`);
      }
      return value;
    }
    return this.#evalFieldChain(dot, value, node, node.idents, args, final);
  }

  #evalChain(dot: unknown, node: ArgNode & { kind: 'chain' }, args: readonly ArgNode[], final: Piped): unknown {
    if (node.node.kind === 'nil') this.#fail(node.pos, argString(node), `indirection through explicit nil in ${argString(node)}`);
    const receiver = this.#evalArg(dot, node.node);
    return this.#evalFieldChain(dot, receiver, node, node.fields, args, final);
  }

  #evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: ArgNode,
    idents: readonly string[],
    args: readonly ArgNode[],
    final: Piped,
  ): unknown {
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) receiver = this.#evalField(dot, idents[i]!, node, [node], MISSING, receiver);
    return this.#evalField(dot, idents[n - 1]!, node, args, final, receiver);
  }

  #evalField(dot: unknown, name: string, node: ArgNode, args: readonly ArgNode[], final: Piped, receiver: unknown): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.#fail(node.pos, argString(node), `nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    const kind = goKind(receiver);
    if (kind === 'struct') {
      if (hasStructMember(receiver as object, name)) {
        const member = (receiver as Record<string, unknown>)[name];
        if (typeof member === 'function') {
          return this.#evalCall(dot, (...a: unknown[]) => (member as TemplateFunc).apply(receiver, a), node, name, args, final);
        }
        if (hasArgs) this.#fail(node.pos, argString(node), `${name} has arguments but cannot be invoked as function`);
        return member;
      }
    } else if (kind === 'map') {
      if (hasArgs) this.#fail(node.pos, argString(node), `${name} is not a method but has arguments`);
      const map = receiver as Record<string, unknown>;
      return Object.hasOwn(map, name) ? map[name] : undefined;
    }
    this.#fail(node.pos, argString(node), `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  #evalFunction(dot: unknown, node: ArgNode & { kind: 'identifier' }, args: readonly ArgNode[], final: Piped): unknown {
    const name = node.name;
    const user = Object.hasOwn(this.#funcs, name) ? this.#funcs[name] : undefined;
    if (user !== undefined) return this.#evalCall(dot, user, node, name, args, final);
    const builtin = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
    if (builtin === undefined) this.#fail(node.pos, name, `${JSON.stringify(name)} is not a defined function`);
    const count = args.length - 1 + (final === MISSING ? 0 : 1);
    if (count < builtin.min || count > builtin.max) {
      const want = builtin.max === Number.POSITIVE_INFINITY ? `at least ${builtin.min}` : String(builtin.min);
      this.#fail(node.pos, name, `wrong number of args for ${name}: want ${want} got ${count}`);
    }
    if (name === 'and' || name === 'or') {
      // Operands are evaluated left to right only until one decides the result, which is returned as is.
      const stopOn = name === 'or';
      let value: unknown;
      for (let i = 1; i < args.length; i++) {
        value = this.#evalArg(dot, args[i]!);
        if (isTrue(value) === stopOn) return value;
      }
      return final === MISSING ? value : final;
    }
    return this.#evalCall(dot, builtin.fn as unknown as TemplateFunc, node, name, args, final, true);
  }

  #evalCall(
    dot: unknown,
    fn: TemplateFunc,
    node: ArgNode,
    name: string,
    args: readonly ArgNode[],
    final: Piped,
    builtin = false,
  ): unknown {
    const argv: unknown[] = [];
    for (let i = 1; i < args.length; i++) argv.push(this.#evalArg(dot, args[i]!));
    if (final !== MISSING) argv.push(final);
    // A missing value reaches Go functions as nil; user functions get float literals as plain numbers.
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === undefined) argv[i] = null;
      else if (!builtin && a instanceof GoFloat) argv[i] = a.value;
    }
    let result: unknown;
    try {
      result = builtin ? (fn as unknown as (a: unknown[]) => unknown)(argv) : fn(...argv);
      if (typeof result === 'string') this.meter.charge(result.length);
    } catch (error) {
      // A stop (cancellation, a limit tripped in a nested render) is the run's outcome, not this call's.
      if (stopsRun(error)) throw error;
      if (error instanceof BudgetExceeded) this.meter.overBudget(node.pos, argString(node), error);
      this.#fail(node.pos, argString(node), `error calling ${name}: ${getErrorMessage(error)}`, error);
    }
    return result;
  }
}

function pipeText(pipe: PipeNode): string {
  return pipe.cmds.map(commandString).join(' | ');
}

