-- Coordinated vulnerability disclosure intake (FDA postmarket guidance §VII and App. C;
-- ISO/IEC 29147): what a researcher reported through the public form or API, and when the
-- manufacturer acknowledged it. ack_due_on is fixed at receipt from the CVD policy then in force.
CREATE TABLE cvd_reports (
    id                    INTEGER PRIMARY KEY,
    tracking_id           TEXT    NOT NULL UNIQUE,
    received_at           TEXT    NOT NULL,
    channel               TEXT    NOT NULL CHECK (channel IN ('form', 'api')),
    spooled               INTEGER NOT NULL CHECK (spooled IN (0, 1)),
    reporter_name         TEXT    NOT NULL,
    reporter_email        TEXT    NOT NULL,
    reporter_pgp_key      TEXT,
    reporter_organisation TEXT,
    product               TEXT    NOT NULL,
    device_name           TEXT,
    affected_version      TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    disclosure_deadline   TEXT,
    ack_days              INTEGER NOT NULL CHECK (ack_days >= 0),
    ack_due_on            TEXT    NOT NULL,
    acknowledged_on       TEXT,
    attachments_json      TEXT    NOT NULL,
    stored_at             TEXT    NOT NULL
);

-- Attachment bodies (base64), written with their report; the report row's audited
-- attachments_json carries each one's size and SHA-256, so a changed body is detectable.
CREATE TABLE cvd_attachments (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES cvd_reports (id),
    ordinal        INTEGER NOT NULL,
    file_name      TEXT    NOT NULL,
    media_type     TEXT    NOT NULL,
    size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256         TEXT    NOT NULL,
    content_base64 TEXT    NOT NULL,
    UNIQUE (report_id, ordinal)
);
