import test from 'ava';
import { lvmLogicalVolume } from '../../../src/resources/lvm/logical-volume.js';

test('lvm.logicalvolume prepare() - a size that is no size fails at prepare with CNV_ERR_FIELD_INVALID naming the field', (t) => {
  const error = t.throws(
    () =>
      lvmLogicalVolume.prepare(
        { group: 'vg0', name: 'data', size: '10x' },
        { id: 'root/lvm.logicalvolume.data', cwd: '/', pos: { file: 'main.hcl', line: 3, column: 1 } },
      ),
    { code: 'CNV_ERR_FIELD_INVALID' },
  );
  t.true(error?.message.startsWith('main.hcl:3:1: root/lvm.logicalvolume.data: size: cannot parse size "10x"'));
  t.like((error as { details?: unknown } | undefined)?.details, { field: 'size' });
});
