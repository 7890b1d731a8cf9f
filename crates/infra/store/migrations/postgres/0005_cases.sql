-- Cases and the regulatory program (issue 7; DESIGN.md §3 "Case", §4). Dates are YYYY-MM-DD
-- text (FDA's clocks count calendar days), JSON is kept as text, as everywhere in this schema.

-- Program settings: one JSON value per key (clocks, isao, cvd, risk).
CREATE TABLE program_settings (
    id         BIGINT PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    value_json TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- One vulnerability's handling for one device.
CREATE TABLE cases (
    id                BIGINT PRIMARY KEY,
    device_id         BIGINT  NOT NULL REFERENCES devices (id),
    vulnerability     TEXT    NOT NULL,
    title             TEXT,
    state             TEXT    NOT NULL,
    t0                TEXT    NOT NULL,
    source            TEXT    NOT NULL CHECK (source IN ('feed', 'researcher', 'isao', 'complaint', 'internal-test')),
    source_detail     TEXT,
    advisory_ref      TEXT,
    duplicate_of      BIGINT, -- no foreign key: a case may duplicate a later one, and restores go in id order
    vex_justification TEXT,
    acknowledged_on   TEXT,
    closed_on         TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
-- Automatic opening is idempotent per vulnerability and device.
CREATE UNIQUE INDEX cases_device_vulnerability ON cases (device_id, lower(vulnerability));

CREATE TABLE case_releases (
    id         BIGINT PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id),
    release_id BIGINT  NOT NULL REFERENCES releases (id),
    UNIQUE (case_id, release_id)
);

CREATE TABLE case_assessments (
    id             BIGINT PRIMARY KEY,
    case_id        BIGINT  NOT NULL REFERENCES cases (id),
    assessed_on    TEXT    NOT NULL,
    input_json     TEXT    NOT NULL,
    output_json    TEXT    NOT NULL,
    rubric_json    TEXT,
    risk           TEXT    NOT NULL CHECK (risk IN ('controlled', 'uncontrolled')),
    matrix_version BIGINT  NOT NULL,
    policy_version BIGINT  NOT NULL,
    rationale      TEXT    NOT NULL,
    sha256         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);

-- Electronic signatures (21 CFR Part 11 style): who, what it means, when, and a hash of what was signed.
CREATE TABLE case_signatures (
    id            BIGINT PRIMARY KEY,
    case_id       BIGINT  NOT NULL REFERENCES cases (id),
    assessment_id BIGINT  NOT NULL REFERENCES case_assessments (id),
    signer        TEXT    NOT NULL,
    meaning       TEXT    NOT NULL,
    signed_on     TEXT    NOT NULL,
    signed_sha256 TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE case_plans (
    id                 BIGINT PRIMARY KEY,
    case_id            BIGINT  NOT NULL REFERENCES cases (id),
    made_on            TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    timeline_rationale TEXT    NOT NULL,
    created_at         TEXT    NOT NULL
);

CREATE TABLE case_controls (
    id                       BIGINT PRIMARY KEY,
    case_id                  BIGINT  NOT NULL REFERENCES cases (id),
    identified_on            TEXT    NOT NULL,
    description              TEXT    NOT NULL,
    adds_no_risk_attestation TEXT    NOT NULL,
    created_at               TEXT    NOT NULL
);

CREATE TABLE case_fixes (
    id             BIGINT PRIMARY KEY,
    case_id        BIGINT  NOT NULL REFERENCES cases (id),
    release_id     BIGINT  NOT NULL REFERENCES releases (id),
    validated_on   TEXT,
    distributed_on TEXT,
    cycle          TEXT    NOT NULL CHECK (cycle IN ('in-cycle', 'out-of-cycle')),
    justification  TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);

CREATE TABLE case_deployments (
    id          BIGINT PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES cases (id),
    release_id  BIGINT  NOT NULL REFERENCES releases (id),
    deployed_on TEXT    NOT NULL,
    units       BIGINT  NOT NULL CHECK (units >= 0),
    created_at  TEXT    NOT NULL
);

CREATE TABLE case_notifications (
    id                       BIGINT PRIMARY KEY,
    case_id                  BIGINT  NOT NULL REFERENCES cases (id),
    sent_on                  TEXT    NOT NULL,
    recipients               TEXT    NOT NULL,
    vulnerability_and_impact TEXT    NOT NULL,
    work_under_way           TEXT    NOT NULL,
    compensating_controls    TEXT    NOT NULL,
    fix_coming               TEXT    NOT NULL,
    created_at               TEXT    NOT NULL
);

CREATE TABLE case_isao_shares (
    id              BIGINT PRIMARY KEY,
    case_id         BIGINT  NOT NULL REFERENCES cases (id),
    isao            TEXT    NOT NULL,
    shared_on       TEXT    NOT NULL,
    what            TEXT    NOT NULL,
    notification_id BIGINT  REFERENCES case_notifications (id),
    created_at      TEXT    NOT NULL
);

CREATE TABLE case_adverse_events (
    id          BIGINT PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES cases (id),
    known_on    TEXT    NOT NULL,
    description TEXT    NOT NULL,
    mdr_number  TEXT,
    created_at  TEXT    NOT NULL
);

-- Regulatory determinations as recorded: kind '806' (with 803) or 'premarket'.
CREATE TABLE case_determinations (
    id            BIGINT PRIMARY KEY,
    case_id       BIGINT  NOT NULL REFERENCES cases (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('806', 'premarket')),
    determined_on TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    reference     TEXT,
    detail_json   TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX case_records_by_case ON case_notifications (case_id);
