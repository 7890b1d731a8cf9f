-- SBOMs (issue 3): each release's SBOM documents as revisions, kept verbatim, with the normalised
-- component inventory, the dependency edges and Postmarket's own support-level overrides.

-- One row per SBOM revision of a release; audited row by row (entity sbom_revision). The
-- rows_digest covers the revision's component, edge and document rows (see store/src/sboms.rs),
-- so `db verify` notices edits to them although they are not audited one by one.
CREATE TABLE sbom_revisions (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id),
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    format          TEXT    NOT NULL,
    spec_version    TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    doc_name        TEXT,
    serial_number   TEXT,
    authors_json    TEXT    NOT NULL,
    doc_timestamp   TEXT,
    tools_json      TEXT    NOT NULL,
    device_json     TEXT,
    component_count INTEGER NOT NULL,
    edge_count      INTEGER NOT NULL,
    rows_digest     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (release_id, revision)
);
CREATE INDEX sbom_revisions_by_sha256 ON sbom_revisions (sha256);

-- The document exactly as received (the parsers require UTF-8, so it is text), with its quality
-- report and parse diagnostics as JSON.
CREATE TABLE sbom_documents (
    revision_id      INTEGER PRIMARY KEY REFERENCES sbom_revisions (id),
    content          TEXT    NOT NULL,
    quality_json     TEXT    NOT NULL,
    diagnostics_json TEXT    NOT NULL
);

CREATE TABLE sbom_components (
    id                 INTEGER PRIMARY KEY,
    revision_id        INTEGER NOT NULL REFERENCES sbom_revisions (id),
    release_id         INTEGER NOT NULL REFERENCES releases (id),
    ordinal            INTEGER NOT NULL,
    bom_ref            TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    version            TEXT,
    supplier           TEXT,
    purl               TEXT,
    purl_raw           TEXT,
    purl_base          TEXT,
    cpe                TEXT,
    swid               TEXT,
    hashes_json        TEXT    NOT NULL,
    licenses           TEXT,
    support_level      TEXT,
    support_level_raw  TEXT,
    end_of_support     TEXT,
    end_of_support_raw TEXT,
    component_type     TEXT,
    parent_ref         TEXT,
    description        TEXT,
    properties_json    TEXT    NOT NULL,
    external_refs_json TEXT    NOT NULL,
    UNIQUE (revision_id, ordinal)
);
CREATE INDEX sbom_components_by_purl ON sbom_components (purl);
CREATE INDEX sbom_components_by_purl_base ON sbom_components (purl_base);
CREATE INDEX sbom_components_by_release_name ON sbom_components (release_id, name);

CREATE TABLE sbom_dependencies (
    id          INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES sbom_revisions (id),
    ordinal     INTEGER NOT NULL,
    from_ref    TEXT    NOT NULL,
    to_ref      TEXT    NOT NULL,
    UNIQUE (revision_id, ordinal)
);

-- Support level / end of support set in Postmarket for a component of a release (FDA premarket
-- guidance); applied over every revision's value. Audited row by row (entity sbom_override).
CREATE TABLE sbom_overrides (
    id             INTEGER PRIMARY KEY,
    release_id     INTEGER NOT NULL REFERENCES releases (id),
    component_key  TEXT    NOT NULL,
    component_name TEXT    NOT NULL,
    support_level  TEXT    NOT NULL CHECK (support_level IN ('maintained', 'no_longer_maintained', 'abandoned')),
    end_of_support TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    UNIQUE (release_id, component_key)
);
