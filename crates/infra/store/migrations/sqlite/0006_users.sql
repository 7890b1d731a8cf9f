-- Accounts, browser sessions and API tokens (issue 8). Secrets are never stored: passwords as
-- argon2id PHC strings, session and API tokens as the SHA-256 of a 256-bit random token.
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL,
    role               TEXT    NOT NULL CHECK (role IN ('admin', 'analyst', 'approver', 'engineer', 'viewer')),
    password_hash      TEXT    NOT NULL,
    product_lines_json TEXT    NOT NULL,
    disabled           INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE UNIQUE INDEX users_name_unique ON users (lower(name));

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    token_sha256 TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL,
    token_sha256 TEXT    NOT NULL UNIQUE,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);
