-- description: Restricted SQL: the least-privilege role vb_sql_reader, with SELECT on the application tables' non-secret columns
-- estimated_duration_ms: 100

-- Roles belong to the whole cluster while grants belong to one database, so the role is created
-- only when missing (another database on the same server may have created it, even concurrently)
-- and the grants are made here every time. A user that may not create roles (a managed server)
-- leaves a notice instead of failing the run: POST /api/v1/db/query then answers 503
-- SQL_ROLE_UNAVAILABLE with the statements an operator must run (README "Restricted SQL").
-- The table list is READABLE_TABLES in src/domain/database/restricted-sql/reader-role.ts; the
-- secret columns are SECRET_COLUMNS in src/domain/database/table-policy.ts.
DO $$
DECLARE
    readable CONSTANT TEXT[] := ARRAY['users', 'projects', 'content_analysis', 'media_assets', 'analysis_jobs',
                                      'files', 'file_metadata', 'file_transformations', 'cdn_cache', 'cdn_traffic'];
    secret CONSTANT TEXT[] := ARRAY['password_hash', 'encryption_key_id'];
    t TEXT;
    cols TEXT;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vb_sql_reader') THEN
        BEGIN
            CREATE ROLE vb_sql_reader NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL; -- created meanwhile for another database
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'vb_sql_reader not created (% may not create roles): restricted SQL answers 503 until an operator creates it', current_user;
                RETURN;
        END;
    END IF;

    BEGIN
        GRANT USAGE ON SCHEMA public TO vb_sql_reader;
        FOREACH t IN ARRAY readable LOOP
            CONTINUE WHEN to_regclass(format('public.%I', t)) IS NULL;
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
              FROM pg_attribute
             WHERE attrelid = to_regclass(format('public.%I', t)) AND attnum > 0 AND NOT attisdropped AND attname <> ALL (secret);
            EXECUTE format('GRANT SELECT (%s) ON public.%I TO vb_sql_reader', cols, t);
        END LOOP;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE '% may not grant on the application tables: restricted SQL will be refused by PostgreSQL until an operator grants them', current_user;
    END;

    -- SET ROLE needs membership; a superuser has it implicitly.
    IF NOT pg_has_role(current_user, 'vb_sql_reader', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT vb_sql_reader TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE '% may not switch to vb_sql_reader: restricted SQL answers 503 until an operator grants it', current_user;
        END;
    END IF;
END
$$;
