-- description: Encrypted columns (DB_ENCRYPTION_KEY): users.email/first_name/last_name hold ciphertext, with blind indexes; email unique through its blind index
-- estimated_duration_ms: 300

-- Ciphertext is longer than the plaintext, so the length limits move from the type to CHECKs that
-- apply to plaintext only (varchar -> varchar keeps the type name, the indexes and the grants, and
-- rewrites nothing). Without DB_ENCRYPTION_KEY the columns hold plaintext and behave as before.
ALTER TABLE users
    ALTER COLUMN email TYPE VARCHAR,
    ALTER COLUMN first_name TYPE VARCHAR,
    ALTER COLUMN last_name TYPE VARCHAR,
    ADD CONSTRAINT users_email_length CHECK (email LIKE 'vbenc1:%' OR char_length(email) <= 255),
    ADD CONSTRAINT users_first_name_length CHECK (first_name LIKE 'vbenc1:%' OR char_length(first_name) <= 100),
    ADD CONSTRAINT users_last_name_length CHECK (last_name LIKE 'vbenc1:%' OR char_length(last_name) <= 100),
    -- Blind indexes (keyed HMACs) the gateway maintains; NULL until a key is configured.
    ADD COLUMN email_bidx TEXT,
    ADD COLUMN first_name_bidx TEXT,
    ADD COLUMN last_name_bidx TEXT;

-- users.email stays unique once encrypted: ciphertexts of one address differ, its blind index does not.
CREATE UNIQUE INDEX users_email_bidx_key ON users (email_bidx);
CREATE INDEX idx_users_first_name_bidx ON users (first_name_bidx);
CREATE INDEX idx_users_last_name_bidx ON users (last_name_bidx);

-- The background (re-)encryption of existing values changes how a row is stored, not its data:
-- it sets vb.keep_updated_at for its own transaction so updated_at is left as it was.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS TRIGGER AS $$
BEGIN
    IF current_setting('vb.keep_updated_at', true) = 'on' THEN
        RETURN NEW;
    END IF;
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
