import { LibpgQuerySqlParser } from '../../src/adapters/sql/libpg-query-sql-parser';
import { sqlParserContract } from '../contract/sql-parser.contract';

sqlParserContract('LibpgQuerySqlParser', () => new LibpgQuerySqlParser());
