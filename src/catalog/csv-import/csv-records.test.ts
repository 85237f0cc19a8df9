import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { type CsvRecord, maxRecordBytes, readCsvRecords } from './csv-records.js';

async function readAll(source: Buffer | string | Readable): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(source)) records.push(record);
  return records;
}

function summary(records: CsvRecord[]) {
  return records.map((record) =>
    record.kind === 'row'
      ? { kind: record.kind, line: record.line, handle: record.row.handle }
      : { kind: record.kind, line: record.line },
  );
}

describe('readCsvRecords', () => {
  it('numbers rows by the physical line they start on', async () => {
    const csv = 'Handle,Title\na,"first\nsecond\nthird"\n\nb,B\n\n\nc,C\n';

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'row', line: 6, handle: 'b' },
      { kind: 'row', line: 9, handle: 'c' },
    ]);
  });

  it('counts CRLF line breaks inside quoted fields once', async () => {
    const csv = 'Handle,Title\r\na,"first\r\nsecond"\r\n\r\nb,B\r\nc,C';

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'row', line: 5, handle: 'b' },
      { kind: 'row', line: 6, handle: 'c' },
    ]);
  });

  it('keeps line breaks inside quoted fields', async () => {
    const records = await readAll('Handle,Title\r\na,"first\r\nsecond"\r\n');

    const [record] = records;
    assert.equal(record?.kind === 'row' ? record.row.title : undefined, 'first\r\nsecond');
  });

  it('reads a header after a UTF-8 byte order mark', async () => {
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('Handle,Title\na,A\n'),
    ]);

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [{ kind: 'row', line: 2, handle: 'a' }]);
  });

  it('reads a stream split inside a multi-byte character', async () => {
    const bytes = Buffer.from('Handle,Title\nå,Ödla\n');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));

    const records = await readAll(Readable.from(chunks));

    assert.equal(records[0]?.kind === 'row' ? records[0].row.title : undefined, 'Ödla');
  });

  it('reports a quote inside an unquoted field and reads on', async () => {
    const csv = 'Handle,Title\na,A\nb,say "hi"\nc,C\n';

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'unreadable', line: 3 },
      { kind: 'row', line: 4, handle: 'c' },
    ]);
  });

  it('reports a record with too many fields and reads on', async () => {
    const csv = 'Handle,Title\na,A\nb,B,extra\nc,C\n';

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'unreadable', line: 3 },
      { kind: 'row', line: 4, handle: 'c' },
    ]);
    const unreadable = records[1];
    assert.equal(unreadable?.kind === 'unreadable' ? unreadable.handle : undefined, 'b');
  });

  it('reports a quote that is never closed at the line it opens', async () => {
    const csv = 'Handle,Title\na,A\nb,"open\nc,C\nd,D\n';

    const records = await readAll(csv);

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'unreadable', line: 3 },
    ]);
    const unreadable = records[1];
    assert.match(unreadable?.kind === 'unreadable' ? unreadable.reason : '', /never closed/);
  });

  it('stops buffering a record at the size limit', async () => {
    const csv = `Handle,Title\na,A\nb,"${'x'.repeat(maxRecordBytes + 10)}"\nc,C\n`;

    const records = await readAll(csv);

    assert.equal(records[0]?.kind, 'row');
    assert.equal(records[1]?.kind, 'unreadable');
    assert.equal(records[1]?.line, 3);
    assert.match(records[1]?.kind === 'unreadable' ? records[1].reason : '', /larger than 2 MiB/);
  });

  it('fails an empty file', async () => {
    const records = await readAll('');

    assert.deepEqual(summary(records), [{ kind: 'fatal', line: 1 }]);
  });

  it('fails a header without a Handle column', async () => {
    const records = await readAll('Name,Title\na,A\n');

    assert.equal(records.length, 1);
    assert.equal(records[0]?.kind, 'fatal');
    assert.match(records[0]?.kind === 'fatal' ? records[0].reason : '', /no "Handle" column/);
  });

  it('fails a header that names a column twice', async () => {
    const records = await readAll('Handle,Title,title\na,A,B\n');

    assert.equal(records[0]?.kind, 'fatal');
    assert.match(records[0]?.kind === 'fatal' ? records[0].reason : '', /"Title" twice/);
  });

  it('fails a stream that errors, after the rows before it', async () => {
    async function* broken() {
      yield Buffer.from('Handle,Title\na,A\n');
      throw new Error('disk unplugged');
    }

    const records = await readAll(Readable.from(broken()));

    assert.deepEqual(summary(records), [
      { kind: 'row', line: 2, handle: 'a' },
      { kind: 'fatal', line: 3 },
    ]);
    const fatal = records[1];
    assert.match(fatal?.kind === 'fatal' ? fatal.reason : '', /disk unplugged/);
  });

  it('ignores unknown columns, even ones named like object internals', async () => {
    const csv = 'Handle,__proto__,constructor,Title,Evil Column\na,"{""polluted"":1}",x,A,=1+1\n';

    const records = await readAll(csv);

    const record = records[0];
    assert.equal(record?.kind, 'row');
    assert.deepEqual(record?.kind === 'row' ? { ...record.row } : {}, { handle: 'a', title: 'A' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
