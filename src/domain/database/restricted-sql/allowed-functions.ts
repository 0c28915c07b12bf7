/**
 * The functions a restricted query may call, unqualified or as `pg_catalog.…`. An allow-list, not a
 * deny-list: PostgreSQL has thousands of functions and new versions add more, some of which read
 * files, signal backends, sleep, write large objects or change settings (pg_read_file, pg_sleep,
 * dblink*, lo_*, set_config, nextval/setval, pg_terminate_backend, pg_advisory_lock, txid_*…).
 * What is here computes over its arguments and the rows it is given, nothing more.
 * pg_sleep is left out on purpose even though the timeout bounds it: it answers no question.
 */
const AGGREGATES = [
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every',
  'bit_and', 'bit_or', 'bit_xor', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'corr', 'covar_pop', 'covar_samp',
  'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy',
  'percentile_cont', 'percentile_disc', 'mode', 'range_agg', 'range_intersect_agg', 'any_value',
];
const WINDOWS = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'];
const STRINGS = [
  'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'lower', 'upper', 'initcap',
  'btrim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'substr', 'substring', 'left', 'right', 'position', 'strpos',
  'replace', 'reverse', 'repeat', 'split_part', 'concat', 'concat_ws', 'format', 'translate', 'ascii', 'chr',
  'regexp_replace', 'regexp_match', 'regexp_matches', 'regexp_split_to_array', 'regexp_split_to_table',
  'regexp_like', 'regexp_count', 'regexp_instr', 'regexp_substr', 'starts_with', 'overlay', 'normalize', 'is_normalized',
  'md5', 'sha224', 'sha256', 'sha384', 'sha512', 'encode', 'decode', 'to_hex', 'quote_ident', 'quote_literal', 'quote_nullable',
  'string_to_array', 'array_to_string', 'string_to_table', 'to_char', 'to_number', 'convert_from', 'convert_to',
];
const MATHS = [
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'power', 'pow', 'exp', 'ln', 'log', 'log10',
  'mod', 'div', 'pi', 'random', 'width_bucket', 'degrees', 'radians', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2',
  'gcd', 'lcm', 'factorial', 'scale', 'min_scale', 'trim_scale',
];
const DATES = [
  'now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday', 'date_trunc', 'date_part', 'extract',
  'date_bin', 'age', 'to_date', 'to_timestamp', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval',
  'justify_days', 'justify_hours', 'justify_interval', 'timezone', 'isfinite', 'overlaps',
];
const JSON_FUNCTIONS = [
  'to_json', 'to_jsonb', 'row_to_json', 'array_to_json', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array',
  'json_object', 'jsonb_object', 'json_extract_path', 'json_extract_path_text', 'jsonb_extract_path', 'jsonb_extract_path_text',
  'json_array_elements', 'json_array_elements_text', 'jsonb_array_elements', 'jsonb_array_elements_text',
  'json_each', 'json_each_text', 'jsonb_each', 'jsonb_each_text', 'json_object_keys', 'jsonb_object_keys',
  'json_array_length', 'jsonb_array_length', 'json_typeof', 'jsonb_typeof', 'json_strip_nulls', 'jsonb_strip_nulls', 'jsonb_pretty',
  'jsonb_set', 'jsonb_set_lax', 'jsonb_insert', 'json_to_record', 'jsonb_to_record', 'json_to_recordset', 'jsonb_to_recordset',
  'json_populate_record', 'jsonb_populate_record', 'json_populate_recordset', 'jsonb_populate_recordset',
  'jsonb_path_exists', 'jsonb_path_match', 'jsonb_path_query', 'jsonb_path_query_array', 'jsonb_path_query_first',
];
const ARRAYS = [
  'array_length', 'cardinality', 'unnest', 'array_append', 'array_prepend', 'array_cat', 'array_position', 'array_positions',
  'array_remove', 'array_replace', 'array_dims', 'array_lower', 'array_upper', 'array_ndims', 'generate_series', 'generate_subscripts',
];
const TEXT_SEARCH = ['to_tsvector', 'to_tsquery', 'plainto_tsquery', 'phraseto_tsquery', 'websearch_to_tsquery', 'ts_rank', 'ts_rank_cd', 'ts_headline'];
/** Harmless introspection an operator asks for: sizes, types, names. */
const INTROSPECTION = [
  'pg_typeof', 'format_type', 'version', 'current_database', 'current_schema', 'pg_size_pretty', 'pg_size_bytes',
  'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size', 'pg_column_size', 'gen_random_uuid',
];

export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  ...AGGREGATES, ...WINDOWS, ...STRINGS, ...MATHS, ...DATES, ...JSON_FUNCTIONS, ...ARRAYS, ...TEXT_SEARCH, ...INTROSPECTION,
]);
