-- The audit chain (DESIGN.md §2, §10): append-only, one row per write, each hashing its predecessor.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_events_by_entity ON audit_events (entity, entity_id, seq);

-- The chain's head, updated in the same transaction as each append. Writers lock this row first,
-- which serialises them on both backends, and it lets verify notice events cut off the end.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE devices (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    product_line     TEXT    NOT NULL,
    device_class     TEXT    NOT NULL CHECK (device_class IN ('I', 'II', 'III')),
    pathway          TEXT    NOT NULL,
    udi_di           TEXT,
    cyber_device     INTEGER NOT NULL CHECK (cyber_device IN (0, 1)),
    safety_statement TEXT,
    harm_acceptance  TEXT,
    created_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX devices_name_unique ON devices (lower(name));

CREATE TABLE releases (
    id             INTEGER PRIMARY KEY,
    device_id      INTEGER NOT NULL REFERENCES devices (id),
    version        TEXT    NOT NULL,
    released_at    TEXT,
    end_of_support TEXT,
    install_base   INTEGER NOT NULL CHECK (install_base >= 0),
    created_at     TEXT    NOT NULL,
    UNIQUE (device_id, version)
);
