/**
 * The `size` of lvm.logicalvolume: a percentage of FREE, VG or PVS (lvcreate -l), or a number with a
 * unit b, s (512-byte sectors), k, m, g, t, p or e, an optional trailing b allowed (lvcreate -L). The
 * unit goes to lvcreate as written; LVM reads size units as powers of 1024 whatever their case.
 */

export interface LvSize {
  /** `-l` for a percentage, `-L` for an absolute size. */
  readonly option: '-l' | '-L';
  /** The argument as lvcreate takes it: `100%FREE`, `512m`. */
  readonly value: string;
}

const PERCENT_RE = /^(\d+)%(PVS|VG|FREE)$/i;
const ABSOLUTE_RE = /^(\d+)([bskmgtpe])b?$/i;

/** The parsed size, or the reason `text` is not one. */
export function parseLvSize(text: string): LvSize | string {
  const percent = PERCENT_RE.exec(text);
  if (percent) {
    const amount = Number(percent[1]);
    if (amount < 1 || amount > 100) return `a percentage must be from 1 to 100, got ${amount}%`;
    return { option: '-l', value: `${amount}%${percent[2]!.toUpperCase()}` };
  }
  const absolute = ABSOLUTE_RE.exec(text);
  if (absolute) {
    const amount = Number(absolute[1]);
    if (amount < 1) return `a size must be more than 0, got ${text}`;
    return { option: '-L', value: `${amount}${absolute[2]}` };
  }
  return `cannot parse size ${JSON.stringify(text)}: expected a number with a unit (b, s, k, m, g, t, p, e) or a percentage of FREE, VG or PVS (100%FREE)`;
}
