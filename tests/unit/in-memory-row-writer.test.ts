import { InMemoryRowWriter } from '../../src/adapters/in-memory/fakes/in-memory-row-writer';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { rowWriterContract } from '../contract/row-writer.contract';
import { shippedSchema } from '../support/table-schemas';

rowWriterContract('InMemoryRowWriter', async () => {
  const session = await new InMemoryTables().openSession();
  await session.begin();
  return { writer: new InMemoryRowWriter(), schema: shippedSchema(), session, close: () => session.release() };
});
