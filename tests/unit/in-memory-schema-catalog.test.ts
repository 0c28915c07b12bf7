import { InMemorySchemaCatalog } from '../../src/adapters/in-memory/fakes/in-memory-schema-catalog';
import { schemaCatalogContract, WIDGETS } from '../contract/schema-catalog.contract';

schemaCatalogContract('InMemorySchemaCatalog', async () => {
  const catalog = new InMemorySchemaCatalog();
  return { catalog, createWidgets: async () => catalog.define(WIDGETS), close: async () => undefined };
});
