//! A description of every table, used by backup/restore (to copy rows without knowing the
//! backend) and by verify (to compare live rows with their last audited state). A conformance
//! test checks this list against the tables the migrations actually create.

/// How a column is carried in a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColType {
    Int,
    Text,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    /// The audit chain's name for rows of this table; `None` for the chain's own tables.
    pub entity: Option<&'static str>,
    pub key: &'static str,
    pub columns: &'static [(&'static str, ColType, bool)],
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use ColType::{Int, Text};

/// In dependency order: a table comes after the tables it references. `(column, type, nullable)`.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "audit_head",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("seq", Int, false),
            ("hash", Text, false),
        ],
    },
    Table {
        name: "audit_events",
        entity: None,
        key: "seq",
        columns: &[
            ("seq", Int, false),
            ("at", Text, false),
            ("actor", Text, false),
            ("action", Text, false),
            ("entity", Text, false),
            ("entity_id", Text, false),
            ("before_json", Text, true),
            ("after_json", Text, true),
            ("reason", Text, true),
            ("prev_hash", Text, false),
            ("hash", Text, false),
        ],
    },
    Table {
        name: "devices",
        entity: Some("device"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("name", Text, false),
            ("product_line", Text, false),
            ("device_class", Text, false),
            ("pathway", Text, false),
            ("udi_di", Text, true),
            ("cyber_device", Int, false),
            ("safety_statement", Text, true),
            ("harm_acceptance", Text, true),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "releases",
        entity: Some("release"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("device_id", Int, false),
            ("version", Text, false),
            ("released_at", Text, true),
            ("end_of_support", Text, true),
            ("install_base", Int, false),
            ("created_at", Text, false),
        ],
    },
    // SBOMs (migration 0002). Revisions and overrides are audited row by row; documents,
    // components and edges are written in bulk and covered by their revision's `rows_digest`.
    Table {
        name: "sbom_revisions",
        entity: Some("sbom_revision"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("release_id", Int, false),
            ("revision", Int, false),
            ("format", Text, false),
            ("spec_version", Text, false),
            ("sha256", Text, false),
            ("size_bytes", Int, false),
            ("doc_name", Text, true),
            ("serial_number", Text, true),
            ("authors_json", Text, false),
            ("doc_timestamp", Text, true),
            ("tools_json", Text, false),
            ("device_json", Text, true),
            ("component_count", Int, false),
            ("edge_count", Int, false),
            ("rows_digest", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "sbom_documents",
        entity: None,
        key: "revision_id",
        columns: &[
            ("revision_id", Int, false),
            ("content", Text, false),
            ("quality_json", Text, false),
            ("diagnostics_json", Text, false),
        ],
    },
    Table {
        name: "sbom_components",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("revision_id", Int, false),
            ("release_id", Int, false),
            ("ordinal", Int, false),
            ("bom_ref", Text, false),
            ("name", Text, false),
            ("version", Text, true),
            ("supplier", Text, true),
            ("purl", Text, true),
            ("purl_raw", Text, true),
            ("purl_base", Text, true),
            ("cpe", Text, true),
            ("swid", Text, true),
            ("hashes_json", Text, false),
            ("licenses", Text, true),
            ("support_level", Text, true),
            ("support_level_raw", Text, true),
            ("end_of_support", Text, true),
            ("end_of_support_raw", Text, true),
            ("component_type", Text, true),
            ("parent_ref", Text, true),
            ("description", Text, true),
            ("properties_json", Text, false),
            ("external_refs_json", Text, false),
        ],
    },
    Table {
        name: "sbom_dependencies",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("revision_id", Int, false),
            ("ordinal", Int, false),
            ("from_ref", Text, false),
            ("to_ref", Text, false),
        ],
    },
    Table {
        name: "sbom_overrides",
        entity: Some("sbom_override"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("release_id", Int, false),
            ("component_key", Text, false),
            ("component_name", Text, false),
            ("support_level", Text, false),
            ("end_of_support", Text, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
        ],
    },
    // 0003: vulnerability intelligence. Bulk feed data is not audited row by row (entity None);
    // each run is one audited event on its feed_runs row.
    Table {
        name: "feed_runs",
        entity: Some("feed_run"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("source", Text, false),
            ("kind", Text, false),
            ("via", Text, false),
            ("file", Text, false),
            ("files", Int, false),
            ("sha256", Text, false),
            ("added", Int, false),
            ("updated", Int, false),
            ("unchanged", Int, false),
            ("rejected", Int, false),
            ("duration_ms", Int, false),
            ("started_at", Text, false),
            ("finished_at", Text, false),
        ],
    },
    Table {
        name: "vulnerabilities",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("primary_id", Text, false),
            ("summary", Text, true),
            ("details", Text, true),
            ("published", Text, true),
            ("modified", Text, true),
            ("withdrawn", Int, false),
            ("rejected", Int, false),
            ("created_run", Int, false),
            ("updated_run", Int, false),
        ],
    },
    Table {
        name: "aliases",
        entity: None,
        key: "alias",
        columns: &[("alias", Text, false), ("vuln_id", Int, false)],
    },
    Table {
        name: "source_records",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("source", Text, false),
            ("record_key", Text, false),
            ("record_id", Text, false),
            ("document", Text, true),
            ("vuln_id", Int, false),
            ("published", Text, true),
            ("modified", Text, true),
            ("withdrawn", Int, false),
            ("rejected", Int, false),
            ("status", Text, true),
            ("summary", Text, true),
            ("details", Text, true),
            ("sha256", Text, false),
            ("raw_json", Text, false),
            ("run_id", Int, false),
        ],
    },
    Table {
        name: "scores",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("vuln_id", Int, false),
            ("record_id", Int, false),
            ("feed", Text, false),
            ("provider", Text, false),
            ("kind", Text, false),
            ("cvss_version", Text, false),
            ("vector", Text, false),
            ("base_score", Text, true),
            ("severity", Text, true),
            ("products", Text, true),
        ],
    },
    Table {
        name: "affected_packages",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("vuln_id", Int, false),
            ("record_id", Int, false),
            ("ecosystem", Text, true),
            ("name", Text, true),
            ("purl", Text, true),
            ("purl_type", Text, true),
            ("purl_namespace", Text, true),
            ("purl_name", Text, true),
            ("ranges_json", Text, false),
            ("versions_json", Text, false),
        ],
    },
    Table {
        name: "cpe_configurations",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("vuln_id", Int, false),
            ("record_id", Int, false),
            ("config_json", Text, false),
        ],
    },
    Table {
        name: "cpe_index",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("vuln_id", Int, false),
            ("record_id", Int, false),
            ("part", Text, false),
            ("vendor", Text, false),
            ("product", Text, false),
            ("vulnerable", Int, false),
        ],
    },
    Table {
        name: "csaf_product_status",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("vuln_id", Int, false),
            ("record_id", Int, false),
            ("document", Text, false),
            ("product_id", Text, false),
            ("status", Text, false),
            ("name", Text, true),
            ("purl", Text, true),
            ("cpe", Text, true),
        ],
    },
    Table {
        name: "kev_entries",
        entity: None,
        key: "cve",
        columns: &[
            ("cve", Text, false),
            ("vendor_project", Text, false),
            ("product", Text, false),
            ("vulnerability_name", Text, false),
            ("date_added", Text, false),
            ("short_description", Text, false),
            ("required_action", Text, false),
            ("due_date", Text, true),
            ("ransomware_use", Text, true),
            ("notes", Text, true),
            ("cwes", Text, false),
            ("run_id", Int, false),
        ],
    },
    Table {
        name: "epss_scores",
        entity: None,
        key: "cve",
        columns: &[
            ("cve", Text, false),
            ("epss_e9", Int, false),
            ("percentile_e9", Int, false),
            ("model_version", Text, true),
            ("score_date", Text, true),
            ("run_id", Int, false),
        ],
    },
    Table {
        name: "vuln_changes",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("run_id", Int, false),
            ("vuln_id", Int, false),
            ("change", Text, false),
            ("source", Text, false),
            ("record_key", Text, true),
            ("detail", Text, true),
        ],
    },
    Table {
        name: "feed_sync_state",
        entity: None,
        key: "source",
        columns: &[
            ("source", Text, false),
            ("checkpoint_json", Text, true),
            ("last_attempt_at", Text, false),
            ("last_success_at", Text, true),
            ("last_error", Text, true),
        ],
    },
    // 0004: findings. Match runs are audited one event per run; findings and their events are bulk
    // (entity None), named by the run that wrote them. VEX statements are audited one by one.
    Table {
        name: "match_runs",
        entity: Some("match_run"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("scope", Text, false),
            ("cause", Text, false),
            ("release_id", Int, true),
            ("sbom_revision_id", Int, true),
            ("change_checkpoint", Int, false),
            ("releases", Int, false),
            ("components", Int, false),
            ("findings", Int, false),
            ("possible", Int, false),
            ("appeared", Int, false),
            ("vanished", Int, false),
            ("index_records", Int, false),
            ("duration_ms", Int, false),
            ("started_at", Text, false),
            ("finished_at", Text, false),
        ],
    },
    Table {
        name: "findings",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("release_id", Int, false),
            ("component_key", Text, false),
            ("bom_ref", Text, false),
            ("component_name", Text, false),
            ("component_version", Text, true),
            ("component_purl", Text, true),
            ("component_cpe", Text, true),
            ("vulnerability", Text, false),
            ("aliases_json", Text, false),
            ("state", Text, false),
            ("active", Int, false),
            ("source", Text, false),
            ("record_id", Text, false),
            ("also_matched_json", Text, false),
            ("match_kind", Text, false),
            ("confidence_e3", Int, false),
            ("reason", Text, false),
            ("affected", Text, false),
            ("fixed", Text, true),
            ("explanation_json", Text, false),
            ("vex_status", Text, true),
            ("vex_justification", Text, true),
            ("suppressed", Int, false),
            ("evidence_sha256", Text, false),
            ("first_seen", Text, false),
            ("last_seen", Text, false),
            ("first_run", Int, false),
            ("last_run", Int, false),
        ],
    },
    Table {
        name: "finding_events",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("finding_id", Int, false),
            ("run_id", Int, false),
            ("event", Text, false),
            ("cause", Text, false),
            ("at", Text, false),
        ],
    },
    Table {
        name: "vex_statements",
        entity: Some("vex_statement"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("release_id", Int, false),
            ("component", Text, false),
            ("vulnerability", Text, false),
            ("status", Text, false),
            ("justification", Text, true),
            ("detail", Text, true),
            ("source_document", Text, true),
            ("statement_time", Text, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
        ],
    },
    // 0005: cases and the regulatory program. Every row is audited.
    Table {
        name: "program_settings",
        entity: Some("program_setting"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("key", Text, false),
            ("value_json", Text, false),
            ("updated_at", Text, false),
        ],
    },
    Table {
        name: "cases",
        entity: Some("case"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("device_id", Int, false),
            ("vulnerability", Text, false),
            ("title", Text, true),
            ("state", Text, false),
            ("t0", Text, false),
            ("source", Text, false),
            ("source_detail", Text, true),
            ("advisory_ref", Text, true),
            ("duplicate_of", Int, true),
            ("vex_justification", Text, true),
            ("acknowledged_on", Text, true),
            ("closed_on", Text, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
        ],
    },
    Table {
        name: "case_releases",
        entity: Some("case_release"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("release_id", Int, false),
        ],
    },
    Table {
        name: "case_assessments",
        entity: Some("case_assessment"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("assessed_on", Text, false),
            ("input_json", Text, false),
            ("output_json", Text, false),
            ("rubric_json", Text, true),
            ("risk", Text, false),
            ("matrix_version", Int, false),
            ("policy_version", Int, false),
            ("rationale", Text, false),
            ("sha256", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_signatures",
        entity: Some("case_signature"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("assessment_id", Int, false),
            ("signer", Text, false),
            ("meaning", Text, false),
            ("signed_on", Text, false),
            ("signed_sha256", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_plans",
        entity: Some("case_plan"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("made_on", Text, false),
            ("description", Text, false),
            ("timeline_rationale", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_controls",
        entity: Some("case_control"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("identified_on", Text, false),
            ("description", Text, false),
            ("adds_no_risk_attestation", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_fixes",
        entity: Some("case_fix"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("release_id", Int, false),
            ("validated_on", Text, true),
            ("distributed_on", Text, true),
            ("cycle", Text, false),
            ("justification", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_deployments",
        entity: Some("case_deployment"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("release_id", Int, false),
            ("deployed_on", Text, false),
            ("units", Int, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_notifications",
        entity: Some("case_notification"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("sent_on", Text, false),
            ("recipients", Text, false),
            ("vulnerability_and_impact", Text, false),
            ("work_under_way", Text, false),
            ("compensating_controls", Text, false),
            ("fix_coming", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_isao_shares",
        entity: Some("case_isao_share"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("isao", Text, false),
            ("shared_on", Text, false),
            ("what", Text, false),
            ("notification_id", Int, true),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "notification_deliveries",
        entity: Some("notification_delivery"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("idempotency_key", Text, false),
            ("kind", Text, false),
            ("clock", Text, false),
            ("due_on", Text, false),
            ("delivered_on", Text, false),
            ("channels", Text, false),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_adverse_events",
        entity: Some("case_adverse_event"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("known_on", Text, false),
            ("description", Text, false),
            ("mdr_number", Text, true),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "case_determinations",
        entity: Some("case_determination"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("case_id", Int, false),
            ("kind", Text, false),
            ("determined_on", Text, false),
            ("outcome", Text, false),
            ("reason", Text, false),
            ("reference", Text, true),
            ("detail_json", Text, false),
            ("created_at", Text, false),
        ],
    },
    // 0006: accounts, sessions and API tokens. Every change is audited; the audit chain holds
    // only hashes of secrets (argon2id for passwords, SHA-256 of 256-bit random tokens).
    Table {
        name: "users",
        entity: Some("user"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("name", Text, false),
            ("role", Text, false),
            ("password_hash", Text, false),
            ("product_lines_json", Text, false),
            ("disabled", Int, false),
            ("created_at", Text, false),
            ("updated_at", Text, false),
        ],
    },
    Table {
        name: "sessions",
        entity: Some("session"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("user_id", Int, false),
            ("token_sha256", Text, false),
            ("created_at", Text, false),
            ("expires_at", Text, false),
        ],
    },
    Table {
        name: "api_tokens",
        entity: Some("api_token"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("user_id", Int, false),
            ("name", Text, false),
            ("token_sha256", Text, false),
            ("scope", Text, false),
            ("created_at", Text, false),
            ("expires_at", Text, true),
            ("revoked_at", Text, true),
        ],
    },
    // 0008: coordinated vulnerability disclosure intake. Reports are audited row by row;
    // attachment bodies are covered by the size and SHA-256 in their report's attachments_json.
    Table {
        name: "cvd_reports",
        entity: Some("cvd_report"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("tracking_id", Text, false),
            ("received_at", Text, false),
            ("channel", Text, false),
            ("spooled", Int, false),
            ("reporter_name", Text, false),
            ("reporter_email", Text, false),
            ("reporter_pgp_key", Text, true),
            ("reporter_organisation", Text, true),
            ("product", Text, false),
            ("device_name", Text, true),
            ("affected_version", Text, false),
            ("description", Text, false),
            ("disclosure_deadline", Text, true),
            ("ack_days", Int, false),
            ("ack_due_on", Text, false),
            ("acknowledged_on", Text, true),
            ("attachments_json", Text, false),
            ("stored_at", Text, false),
        ],
    },
    Table {
        name: "cvd_attachments",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("report_id", Int, false),
            ("ordinal", Int, false),
            ("file_name", Text, false),
            ("media_type", Text, false),
            ("size_bytes", Int, false),
            ("sha256", Text, false),
            ("content_base64", Text, false),
        ],
    },
];

pub(crate) fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("table {name} is not described in schema::TABLES"))
}

/// Reads one column of a row as JSON, by its declared type.
pub(crate) fn column_json(
    row: &sqlx::any::AnyRow,
    i: usize,
    ty: ColType,
) -> Result<serde_json::Value, sqlx::Error> {
    use sqlx::Row;
    Ok(match ty {
        ColType::Int => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(serde_json::Value::Null, Into::into),
        ColType::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(serde_json::Value::Null, Into::into),
    })
}

/// A whole row as a JSON object, column by column: the form in which the audit chain records an
/// entity's state, so that verify can compare any live row with its last audited state.
pub(crate) fn row_json(
    table: &Table,
    row: &sqlx::any::AnyRow,
) -> Result<serde_json::Value, sqlx::Error> {
    let mut map = serde_json::Map::new();
    for (i, (name, ty, _)) in table.columns.iter().enumerate() {
        map.insert((*name).to_string(), column_json(row, i, *ty)?);
    }
    Ok(serde_json::Value::Object(map))
}

/// Reads one row of `table` by key as JSON (`None` if absent).
pub(crate) async fn read_row_json(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    key: i64,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = $1",
        table.column_list(),
        table.name,
        table.key
    );
    let row = sqlx::query(&sql).bind(key).fetch_optional(conn).await?;
    row.as_ref().map(|r| row_json(table, r)).transpose()
}

/// The names of the tables a backup covers, in dependency order.
pub fn table_names() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}
