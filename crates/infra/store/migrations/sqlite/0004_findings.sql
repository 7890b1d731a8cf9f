-- Findings (DESIGN.md §6, issue 5): which vulnerability affects which component of which release,
-- with the evidence the matcher used, component-level VEX statements, and the history of every
-- finding (appeared / vanished, and what caused it).
--
-- Matching is bulk work (a portfolio re-match touches every release): like feed data, findings and
-- their events are not audited row by row. Each match run is one audited event on its
-- `match_runs` row (scope, cause, counts, the `vuln_changes` checkpoint it covers), and
-- `finding_events` names every finding that run made appear or vanish. VEX statements are
-- decisions: each is audited on its own.

-- One run of the matcher: one release (a new SBOM revision), the whole portfolio, or an
-- incremental re-match after feed changes.
CREATE TABLE match_runs (
    id                INTEGER PRIMARY KEY,
    scope             TEXT    NOT NULL CHECK (scope IN ('release', 'portfolio', 'incremental')),
    cause             TEXT    NOT NULL,
    release_id        INTEGER REFERENCES releases (id),
    sbom_revision_id  INTEGER REFERENCES sbom_revisions (id),
    change_checkpoint INTEGER NOT NULL,
    releases          INTEGER NOT NULL,
    components        INTEGER NOT NULL,
    findings          INTEGER NOT NULL,
    possible          INTEGER NOT NULL,
    appeared          INTEGER NOT NULL,
    vanished          INTEGER NOT NULL,
    index_records     INTEGER NOT NULL,
    duration_ms       INTEGER NOT NULL,
    started_at        TEXT    NOT NULL,
    finished_at       TEXT    NOT NULL
);

-- One (release, component, vulnerability). `component_key` identifies the component across SBOM
-- revisions (its canonical purl, else name@version|supplier); `vulnerability` is the display id of
-- the alias group (smallest CVE, else smallest id). `state` is `finding` or `possible` (a match
-- below the confidence threshold, or one whose platform condition the SBOM does not show: for
-- review). `active` is 0 once the finding vanished (kept for the record). Confidence is stored in
-- thousandths so it compares exactly on both backends. A VEX statement that suppresses keeps the
-- finding, flagged `suppressed`, with its status and justification.
CREATE TABLE findings (
    id                INTEGER PRIMARY KEY,
    release_id        INTEGER NOT NULL REFERENCES releases (id),
    component_key     TEXT    NOT NULL,
    bom_ref           TEXT    NOT NULL,
    component_name    TEXT    NOT NULL,
    component_version TEXT,
    component_purl    TEXT,
    component_cpe     TEXT,
    vulnerability     TEXT    NOT NULL,
    aliases_json      TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('finding', 'possible')),
    active            INTEGER NOT NULL CHECK (active IN (0, 1)),
    source            TEXT    NOT NULL,
    record_id         TEXT    NOT NULL,
    also_matched_json TEXT    NOT NULL,
    match_kind        TEXT    NOT NULL CHECK (match_kind IN ('purl', 'cpe', 'heuristic')),
    confidence_e3     INTEGER NOT NULL CHECK (confidence_e3 BETWEEN 0 AND 1000),
    reason            TEXT    NOT NULL,
    affected          TEXT    NOT NULL,
    fixed             TEXT,
    explanation_json  TEXT    NOT NULL,
    vex_status        TEXT    CHECK (vex_status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    vex_justification TEXT,
    suppressed        INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
    evidence_sha256   TEXT    NOT NULL,
    first_seen        TEXT    NOT NULL,
    last_seen         TEXT    NOT NULL,
    first_run         INTEGER NOT NULL REFERENCES match_runs (id),
    last_run          INTEGER NOT NULL REFERENCES match_runs (id),
    UNIQUE (release_id, component_key, vulnerability)
);
CREATE INDEX findings_by_vulnerability ON findings (vulnerability);
CREATE INDEX findings_by_purl ON findings (component_purl);

-- What happened to a finding, and why: the SBOM revision or the feed changes that caused it.
CREATE TABLE finding_events (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    run_id     INTEGER NOT NULL REFERENCES match_runs (id),
    event      TEXT    NOT NULL CHECK (event IN ('appeared', 'vanished')),
    cause      TEXT    NOT NULL,
    at         TEXT    NOT NULL
);
CREATE INDEX finding_events_by_finding ON finding_events (finding_id);
CREATE INDEX finding_events_by_run ON finding_events (run_id);

-- Component-level VEX statements (CycloneDX VEX / OpenVEX / CSAF VEX vocabulary) for a release:
-- the component as a purl (without version: every version) or a bom-ref / component key, the
-- vulnerability by any alias. A newer statement for the same (release, component, vulnerability)
-- replaces the older; the audit chain keeps every one.
CREATE TABLE vex_statements (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id),
    component       TEXT    NOT NULL,
    vulnerability   TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    justification   TEXT,
    detail          TEXT,
    source_document TEXT,
    statement_time  TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (release_id, component, vulnerability)
);
