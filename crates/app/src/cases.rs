//! The case workflow (issue 7; DESIGN.md §2 "triage → assess → decide → remediate → communicate"):
//! open, transition, assess, sign, plan, control, notify, share, fix, deploy, determine, close.
//! Every function takes the day it acts on (`at`) so that tests and replays can set the clock;
//! every change is one store transaction with its audit events. The rules are
//! `postmarket-program`'s (state machine, clocks, determinations) and `postmarket-risk`'s
//! (assessment); this module composes them with the store.

use std::fmt;
use std::str::FromStr;

use postmarket_model::{Actor, Date, Device, DeviceName, Pathway, ReleaseVersion};
use postmarket_program::clocks::{case_clocks, needs_attention, Clock};
use postmarket_program::evidence::{
    determine_case, AdverseEventEvidence, CaseDetermination, CaseEvidence, CaseSource,
    ControlEvidence, FixEvidence, NoticeEvidence, PlanEvidence, PremarketEvaluation, ShareEvidence,
};
use postmarket_program::notice::{Notice, NoticeDraft};
use postmarket_program::state::{check_transition, CaseState, TransitionFacts, VexJustification};
use postmarket_risk::{assess, AssessInput, Assessment, Risk};
use postmarket_store::Fields;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{App, AppError};

/// What opening a case by hand needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    pub device: DeviceName,
    /// CVE, GHSA, ICSMA or the manufacturer's own id for an unpublished vulnerability.
    pub vulnerability: String,
    pub title: Option<String>,
    pub source: CaseSource,
    /// Who reported it, the complaint number, the ISAO bulletin …
    pub source_detail: Option<String>,
    /// A CISA / ISAO advisory reference.
    pub advisory_ref: Option<String>,
    /// The affected releases (at least one).
    pub releases: Vec<ReleaseVersion>,
    /// When the manufacturer learned of it (not the CVE's publication date).
    pub t0: Date,
}

/// The meaning of an electronic signature (21 CFR 11.50(a)(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureMeaning {
    /// Approves the assessment and decision: the case may proceed on it.
    Approved,
    /// Reviewed, without approving.
    Reviewed,
    /// Rejects the assessment; it must be redone.
    Rejected,
}

impl SignatureMeaning {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Reviewed => "reviewed",
            Self::Rejected => "rejected",
        }
    }
}

impl fmt::Display for SignatureMeaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureMeaning {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "approved" => Ok(Self::Approved),
            "reviewed" => Ok(Self::Reviewed),
            "rejected" => Ok(Self::Rejected),
            _ => Err(AppError::BadInput(format!(
                "unknown signature meaning {s:?}: expected approved, reviewed or rejected"
            ))),
        }
    }
}

/// Checks that the signer is who they say and may sign with this meaning (21 CFR 11.200:
/// re-entry of the password at signing). The web app's implementation re-checks the password
/// and the approver role; the CLI, which has no login, signs as the `--actor` it was given and
/// says so in the signature's record.
pub trait SignerVerifier: Send + Sync {
    /// `Ok` when `signer` may sign now with `meaning`; otherwise a message for the user.
    fn verify_signer(&self, signer: &Actor, meaning: SignatureMeaning) -> Result<(), String>;
    /// How the signer was verified, recorded with the signature.
    fn method(&self) -> &'static str;
}

/// The CLI's verifier: the operating-system user running the command is the signer.
#[derive(Debug, Clone, Copy, Default)]
pub struct CliSigner;

impl SignerVerifier for CliSigner {
    fn verify_signer(&self, signer: &Actor, _meaning: SignatureMeaning) -> Result<(), String> {
        if signer.as_str().trim().is_empty() {
            return Err("a signature needs a named signer".into());
        }
        Ok(())
    }
    fn method(&self) -> &'static str {
        "command line, actor as given"
    }
}

/// Extra facts a transition may need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionArgs {
    pub reason: Option<String>,
    pub vex_justification: Option<VexJustification>,
    pub duplicate_of: Option<i64>,
}

/// `in-cycle` or `out-of-cycle` (§524B(b)(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixCycle {
    InCycle,
    OutOfCycle,
}

impl FixCycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InCycle => "in-cycle",
            Self::OutOfCycle => "out-of-cycle",
        }
    }
}

impl FromStr for FixCycle {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "in-cycle" => Ok(Self::InCycle),
            "out-of-cycle" => Ok(Self::OutOfCycle),
            _ => Err(AppError::BadInput(format!(
                "unknown fix cycle {s:?}: expected in-cycle or out-of-cycle"
            ))),
        }
    }
}

/// A fix as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFix {
    pub release: ReleaseVersion,
    pub validated_on: Option<Date>,
    pub distributed_on: Option<Date>,
    pub cycle: FixCycle,
    /// Why in-cycle is justified, or why out-of-cycle.
    pub justification: String,
}

// Rows as stored (column names as in migration 0005).

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub device_id: i64,
    pub vulnerability: String,
    pub title: Option<String>,
    pub state: CaseState,
    pub t0: Date,
    pub source: CaseSource,
    pub source_detail: Option<String>,
    pub advisory_ref: Option<String>,
    pub duplicate_of: Option<i64>,
    pub vex_justification: Option<VexJustification>,
    pub acknowledged_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub case_id: i64,
    pub assessed_on: Date,
    pub input_json: String,
    pub output_json: String,
    pub rubric_json: Option<String>,
    pub risk: Risk,
    pub matrix_version: i64,
    pub policy_version: i64,
    pub rationale: String,
    pub sha256: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRow {
    pub id: i64,
    pub case_id: i64,
    pub assessment_id: i64,
    pub signer: String,
    pub meaning: SignatureMeaning,
    pub signed_on: Date,
    pub signed_sha256: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub case_id: i64,
    pub made_on: Date,
    pub description: String,
    pub timeline_rationale: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRow {
    pub id: i64,
    pub case_id: i64,
    pub identified_on: Date,
    pub description: String,
    pub adds_no_risk_attestation: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixRow {
    pub id: i64,
    pub case_id: i64,
    pub release_id: i64,
    pub validated_on: Option<Date>,
    pub distributed_on: Option<Date>,
    pub cycle: FixCycle,
    pub justification: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRow {
    pub id: i64,
    pub case_id: i64,
    pub release_id: i64,
    pub deployed_on: Date,
    pub units: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    pub id: i64,
    pub case_id: i64,
    pub sent_on: Date,
    pub recipients: String,
    pub vulnerability_and_impact: String,
    pub work_under_way: String,
    pub compensating_controls: String,
    pub fix_coming: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRow {
    pub id: i64,
    pub case_id: i64,
    pub isao: String,
    pub shared_on: Date,
    pub what: String,
    pub notification_id: Option<i64>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEventRow {
    pub id: i64,
    pub case_id: i64,
    pub known_on: Date,
    pub description: String,
    pub mdr_number: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeterminationRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub determined_on: Date,
    pub outcome: String,
    pub reason: String,
    pub reference: Option<String>,
    pub detail_json: String,
    pub created_at: String,
}

/// A release a case names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRelease {
    pub id: i64,
    pub version: String,
    pub install_base: i64,
}

/// A case with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    pub device: String,
    pub releases: Vec<CaseRelease>,
    pub assessments: Vec<AssessmentRow>,
    pub signatures: Vec<SignatureRow>,
    pub plans: Vec<PlanRow>,
    pub controls: Vec<ControlRow>,
    pub fixes: Vec<FixRow>,
    pub deployments: Vec<DeploymentRow>,
    pub notifications: Vec<NotificationRow>,
    pub isao_shares: Vec<ShareRow>,
    pub adverse_events: Vec<AdverseEventRow>,
    pub determinations: Vec<DeterminationRow>,
}

impl CaseView {
    pub fn id(&self) -> i64 {
        self.case.id
    }
    pub fn state(&self) -> CaseState {
        self.case.state
    }
    /// The latest assessment.
    pub fn assessment(&self) -> Option<&AssessmentRow> {
        self.assessments.last()
    }
    /// The latest assessment carries an "approved" signature (and no later "rejected" one).
    pub fn approved(&self) -> bool {
        let Some(a) = self.assessment() else {
            return false;
        };
        let mine: Vec<_> = self
            .signatures
            .iter()
            .filter(|s| s.assessment_id == a.id)
            .collect();
        mine.iter()
            .rev()
            .find(|s| s.meaning != SignatureMeaning::Reviewed)
            .is_some_and(|s| s.meaning == SignatureMeaning::Approved)
    }
    fn release_name(&self, id: i64) -> String {
        self.releases
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| format!("release {id}"), |r| r.version.clone())
    }
}

/// A case as the workflow sees it on one day: the record, its clocks and its determination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub view: CaseView,
    pub at: Date,
    pub allowed_next: Vec<CaseState>,
    pub clocks: Vec<Clock>,
    /// The 806 / 803 determination from the evidence on `at` (none before assessment).
    pub determination: Option<CaseDetermination>,
    /// The latest premarket-submission evaluation, when recorded.
    pub premarket_evaluation: Option<PremarketEvaluation>,
}

/// A clock that needs attention, for the scheduler that delivers reminders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueClock {
    pub case_id: i64,
    pub device: String,
    pub vulnerability: String,
    pub state: CaseState,
    #[serde(flatten)]
    pub clock: Clock,
}

fn rows<T: serde::de::DeserializeOwned>(table: &str, v: Vec<Value>) -> Result<Vec<T>, AppError> {
    v.into_iter()
        .map(|r| {
            serde_json::from_value(r).map_err(|e| {
                AppError::Internal(format!("{table} row is not as Postmarket wrote it: {e}"))
            })
        })
        .collect()
}

fn fields(v: Value) -> Fields {
    match v {
        Value::Object(m) => m,
        _ => Fields::new(),
    }
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadInput(msg.into())
}

fn program(e: postmarket_program::ProgramError) -> AppError {
    AppError::BadInput(e.to_string())
}

fn non_empty(what: &str, v: &str) -> Result<(), AppError> {
    if v.trim().is_empty() {
        return Err(bad(format!("{what} must not be empty")));
    }
    Ok(())
}

impl App {
    async fn case_row(&self, id: i64) -> Result<CaseRow, AppError> {
        let v = self.store().case_row("cases", id).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "case {id} not found (postmarket case list shows the cases)"
            ))
        })?;
        Ok(rows::<CaseRow>("cases", vec![v])?.remove(0))
    }

    async fn device_by_id(&self, id: i64) -> Result<Device, AppError> {
        self.store()
            .devices()
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| AppError::Internal(format!("device {id} of a case is missing")))
    }

    /// One case with every record.
    pub async fn case(&self, id: i64) -> Result<CaseView, AppError> {
        let case = self.case_row(id).await?;
        let device = self.device_by_id(case.device_id).await?;
        let s = self.store();
        let all_releases = s.releases(Some(&device.name)).await?;
        let links = s.case_rows("case_releases", "case_id", id).await?;
        let mut releases: Vec<CaseRelease> = links
            .iter()
            .filter_map(|l| l["release_id"].as_i64())
            .filter_map(|rid| all_releases.iter().find(|r| r.id == rid))
            .map(|r| CaseRelease {
                id: r.id,
                version: r.version.to_string(),
                install_base: r.install_base,
            })
            .collect();
        // Fix releases are named too, so that views can show their versions.
        let fixes: Vec<FixRow> = rows(
            "case_fixes",
            s.case_rows("case_fixes", "case_id", id).await?,
        )?;
        for f in &fixes {
            if !releases.iter().any(|r| r.id == f.release_id) {
                if let Some(r) = all_releases.iter().find(|r| r.id == f.release_id) {
                    releases.push(CaseRelease {
                        id: r.id,
                        version: r.version.to_string(),
                        install_base: 0,
                    });
                }
            }
        }
        Ok(CaseView {
            device: device.name.to_string(),
            releases: releases.clone(),
            assessments: rows(
                "case_assessments",
                s.case_rows("case_assessments", "case_id", id).await?,
            )?,
            signatures: rows(
                "case_signatures",
                s.case_rows("case_signatures", "case_id", id).await?,
            )?,
            plans: rows(
                "case_plans",
                s.case_rows("case_plans", "case_id", id).await?,
            )?,
            controls: rows(
                "case_controls",
                s.case_rows("case_controls", "case_id", id).await?,
            )?,
            fixes,
            deployments: rows(
                "case_deployments",
                s.case_rows("case_deployments", "case_id", id).await?,
            )?,
            notifications: rows(
                "case_notifications",
                s.case_rows("case_notifications", "case_id", id).await?,
            )?,
            isao_shares: rows(
                "case_isao_shares",
                s.case_rows("case_isao_shares", "case_id", id).await?,
            )?,
            adverse_events: rows(
                "case_adverse_events",
                s.case_rows("case_adverse_events", "case_id", id).await?,
            )?,
            determinations: rows(
                "case_determinations",
                s.case_rows("case_determinations", "case_id", id).await?,
            )?,
            case,
        })
    }

    /// Cases, of one device or of all, by id.
    pub async fn cases(&self, device: Option<&DeviceName>) -> Result<Vec<CaseRow>, AppError> {
        let all: Vec<CaseRow> = rows("cases", self.store().case_table_rows("cases").await?)?;
        Ok(match device {
            Some(name) => {
                let d = self.store().device(name).await?;
                all.into_iter().filter(|c| c.device_id == d.id).collect()
            }
            None => all,
        })
    }

    /// The evidence the program's rules read, from a case's records.
    pub async fn case_evidence(&self, view: &CaseView) -> Result<CaseEvidence, AppError> {
        let device = self.device_by_id(view.case.device_id).await?;
        let settings = self.program_settings().await?;
        Ok(CaseEvidence {
            t0: view.case.t0,
            source: view.case.source,
            state: view.case.state,
            risk: view.assessment().map(|a| a.risk),
            pma: device.pathway == Pathway::Pma,
            acknowledged_on: view.case.acknowledged_on,
            closed_on: view.case.closed_on,
            adverse_events: view
                .adverse_events
                .iter()
                .map(|a| AdverseEventEvidence {
                    id: a.id,
                    known_on: a.known_on,
                    description: a.description.clone(),
                    mdr_number: a.mdr_number.clone(),
                })
                .collect(),
            notices: view
                .notifications
                .iter()
                .map(|n| NoticeEvidence {
                    id: n.id,
                    sent_on: n.sent_on,
                    recipients: n.recipients.clone(),
                })
                .collect(),
            controls: view
                .controls
                .iter()
                .map(|c| ControlEvidence {
                    id: c.id,
                    identified_on: c.identified_on,
                    description: c.description.clone(),
                })
                .collect(),
            plans: view
                .plans
                .iter()
                .map(|p| PlanEvidence {
                    id: p.id,
                    made_on: p.made_on,
                    description: p.description.clone(),
                })
                .collect(),
            fixes: view
                .fixes
                .iter()
                .map(|f| FixEvidence {
                    id: f.id,
                    release: view.release_name(f.release_id),
                    validated_on: f.validated_on,
                    distributed_on: f.distributed_on,
                })
                .collect(),
            shares: view
                .isao_shares
                .iter()
                .map(|s| ShareEvidence {
                    id: s.id,
                    isao: s.isao.clone(),
                    shared_on: s.shared_on,
                    notification_id: s.notification_id,
                })
                .collect(),
            isao: settings.isao,
        })
    }

    /// A case as it stands on `at`: record, allowed transitions, clocks and determination.
    pub async fn case_detail(&self, id: i64, at: Date) -> Result<CaseDetail, AppError> {
        let view = self.case(id).await?;
        let ev = self.case_evidence(&view).await?;
        let clocks_cfg = self.program_settings().await?.clocks;
        let premarket = view
            .determinations
            .iter()
            .rev()
            .find(|d| d.kind == "premarket")
            .and_then(|d| serde_json::from_str(&d.detail_json).ok());
        Ok(CaseDetail {
            at,
            allowed_next: view.state().allowed_next().to_vec(),
            clocks: case_clocks(&ev, &clocks_cfg, at),
            determination: determine_case(&ev, at),
            premarket_evaluation: premarket,
            view,
        })
    }

    fn check_day(case: &CaseRow, what: &str, day: Date, at: Date) -> Result<(), AppError> {
        if day < case.t0 {
            return Err(bad(format!(
                "{what} {day} is before the case's T0 {} (the day the manufacturer learned of the vulnerability)",
                case.t0
            )));
        }
        if day > at {
            return Err(bad(format!(
                "{what} {day} is after today ({at}); record it when it has happened"
            )));
        }
        Ok(())
    }

    fn check_open(case: &CaseRow, what: &str) -> Result<(), AppError> {
        if case.state.is_terminal() {
            return Err(bad(format!(
                "case {} is {}: reopen it (case transition {} triage) before recording {what}",
                case.id, case.state, case.id
            )));
        }
        Ok(())
    }

    async fn release_ids(
        &self,
        device: &Device,
        versions: &[ReleaseVersion],
    ) -> Result<Vec<i64>, AppError> {
        let mut ids = Vec::new();
        for v in versions {
            ids.push(self.store().release(&device.name, v).await?.id);
        }
        Ok(ids)
    }

    /// Opens a case by hand (researcher report, ISAO share, complaint, internal test, or a feed
    /// item). A second case for the same vulnerability and device is refused.
    pub async fn open_case(
        &self,
        actor: &Actor,
        new: &OpenCase,
        at: Date,
    ) -> Result<CaseView, AppError> {
        non_empty("the vulnerability id", &new.vulnerability)?;
        if new.releases.is_empty() {
            return Err(bad(
                "a case needs at least one affected release (--release)",
            ));
        }
        if new.t0 > at {
            return Err(bad(format!("T0 {} is after today ({at})", new.t0)));
        }
        let device = self.store().device(&new.device).await?;
        let release_ids = self.release_ids(&device, &new.releases).await?;
        let mut w = self.store().case_write(actor).await?;
        if let Some(existing) = w.find_case(device.id, new.vulnerability.trim()).await? {
            return Err(bad(format!(
                "case {existing} already covers {} on {}",
                new.vulnerability.trim(),
                device.name
            )));
        }
        let id = w
            .insert(
                "cases",
                "case.open",
                fields(json!({
                    "device_id": device.id, "vulnerability": new.vulnerability.trim(),
                    "title": new.title, "state": CaseState::New, "t0": new.t0,
                    "source": new.source, "source_detail": new.source_detail,
                    "advisory_ref": new.advisory_ref,
                })),
                new.source_detail.as_deref(),
            )
            .await?;
        for rid in release_ids {
            w.insert(
                "case_releases",
                "case.release.add",
                fields(json!({"case_id": id, "release_id": rid})),
                None,
            )
            .await?;
        }
        w.commit().await?;
        self.case(id).await
    }

    /// Opens the case for a vulnerability found in releases of a device, or adds the releases to
    /// the case that exists: one case per vulnerability and device, so calling it again for the
    /// same findings changes nothing. Returns the case and whether it was created. The findings
    /// work calls this when new findings appear; `t0` is the day they appeared.
    pub async fn open_cases_for_exposures(
        &self,
        actor: &Actor,
        device: &DeviceName,
        vulnerability: &str,
        releases: &[ReleaseVersion],
        t0: Date,
    ) -> Result<(CaseView, bool), AppError> {
        non_empty("the vulnerability id", vulnerability)?;
        let device = self.store().device(device).await?;
        let release_ids = self.release_ids(&device, releases).await?;
        let mut w = self.store().case_write(actor).await?;
        let (id, created) = match w.find_case(device.id, vulnerability.trim()).await? {
            Some(id) => (id, false),
            None => {
                let id = w
                    .insert(
                        "cases",
                        "case.open",
                        fields(json!({
                            "device_id": device.id, "vulnerability": vulnerability.trim(),
                            "state": CaseState::New, "t0": t0, "source": CaseSource::Feed,
                            "source_detail": "new findings",
                        })),
                        Some("opened from new findings"),
                    )
                    .await?;
                (id, true)
            }
        };
        let linked: Vec<i64> = if created {
            Vec::new()
        } else {
            self.store()
                .case_rows("case_releases", "case_id", id)
                .await?
                .iter()
                .filter_map(|r| r["release_id"].as_i64())
                .collect()
        };
        for rid in release_ids.into_iter().filter(|r| !linked.contains(r)) {
            w.insert(
                "case_releases",
                "case.release.add",
                fields(json!({"case_id": id, "release_id": rid})),
                Some("new findings"),
            )
            .await?;
        }
        w.commit().await?;
        Ok((self.case(id).await?, created))
    }

    /// Moves a case; refused (naming the allowed transitions, or what is missing) when the state
    /// machine does not allow it. Closing records the day.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: i64,
        to: CaseState,
        args: &TransitionArgs,
        at: Date,
    ) -> Result<CaseView, AppError> {
        let view = self.case(id).await?;
        let from = view.state();
        if let Some(dup) = args.duplicate_of {
            if dup == id {
                return Err(bad("a case cannot duplicate itself"));
            }
            self.case_row(dup).await?;
        }
        let facts = TransitionFacts {
            risk: view.assessment().map(|a| a.risk),
            approved: view.approved(),
            fix_distributed: view
                .fixes
                .iter()
                .any(|f| f.validated_on.is_some() && f.distributed_on.is_some()),
            premarket_evaluated: view.determinations.iter().any(|d| d.kind == "premarket"),
            vex_justification: args.vex_justification,
            duplicate_of: args.duplicate_of,
        };
        check_transition(from, to, &facts).map_err(program)?;
        let mut changes = json!({"state": to});
        match to {
            CaseState::NotAffected => changes["vex_justification"] = json!(args.vex_justification),
            CaseState::Duplicate => changes["duplicate_of"] = json!(args.duplicate_of),
            CaseState::Closed => changes["closed_on"] = json!(at),
            CaseState::Triage if from.is_terminal() => {
                changes["closed_on"] = Value::Null;
                changes["vex_justification"] = Value::Null;
                changes["duplicate_of"] = Value::Null;
            }
            _ => {}
        }
        let action = if from.is_terminal() {
            "case.reopen"
        } else {
            "case.transition"
        };
        let mut w = self.store().case_write(actor).await?;
        w.update("cases", id, action, fields(changes), args.reason.as_deref())
            .await?;
        w.commit().await?;
        self.case(id).await
    }

    /// Closes a case (routine-update → closed, or fixed → closed).
    pub async fn close_case(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
        at: Date,
    ) -> Result<CaseView, AppError> {
        self.transition(
            actor,
            id,
            CaseState::Closed,
            &TransitionArgs {
                reason: reason.map(String::from),
                ..Default::default()
            },
            at,
        )
        .await
    }

    /// Assesses a case with `postmarket-risk` under the program's approved matrix and policy, and
    /// stores input and output (with the rubric answers, when the vector came from the rubric).
    /// The reporting facts are the case's own evidence on `at`, not the caller's. A case in
    /// triage moves to assessed; a case already assessed is re-assessed (a new assessment, whose
    /// signature is needed again).
    pub async fn assess_case(
        &self,
        actor: &Actor,
        id: i64,
        input: &AssessInput,
        rubric_answers: Option<&Value>,
        at: Date,
    ) -> Result<(AssessmentRow, Assessment), AppError> {
        let view = self.case(id).await?;
        let from = view.state();
        if !matches!(from, CaseState::Triage | CaseState::Assessed) {
            return Err(bad(format!(
                "case {id} is {from}: only a case in triage or assessed can be assessed{}",
                if from == CaseState::New {
                    " (move it to triage first)"
                } else {
                    ""
                }
            )));
        }
        Self::check_day(&view.case, "the assessment date", at, at)?;
        let settings = self.program_settings().await?;
        let ev = self.case_evidence(&view).await?;
        let mut input = input.clone();
        // The 806 facts come from the case's records; determine_case on a placeholder risk gives
        // exactly the facts they imply on `at`.
        let mut placeholder = ev.clone();
        placeholder.risk = Some(Risk::Uncontrolled);
        if let Some(d) = determine_case(&placeholder, at) {
            input.reporting = d.facts;
        }
        let assessment =
            assess(&input, &settings.risk).map_err(|e| bad(format!("assessment: {e}")))?;
        let input_json =
            serde_json::to_string(&input).map_err(|e| AppError::Internal(e.to_string()))?;
        let output_json =
            serde_json::to_string(&assessment).map_err(|e| AppError::Internal(e.to_string()))?;
        let sha = hex::encode(Sha256::digest(
            format!("{input_json}\n{output_json}").as_bytes(),
        ));
        let mut w = self.store().case_write(actor).await?;
        let aid = w
            .insert(
                "case_assessments",
                "case.assess",
                fields(json!({
                    "case_id": id, "assessed_on": at, "input_json": input_json,
                    "output_json": output_json,
                    "rubric_json": rubric_answers.map(Value::to_string),
                    "risk": assessment.risk, "matrix_version": assessment.matrix_version,
                    "policy_version": assessment.policy_version,
                    "rationale": input.rationale, "sha256": sha,
                })),
                Some(&input.rationale),
            )
            .await?;
        if from == CaseState::Triage {
            w.update(
                "cases",
                id,
                "case.transition",
                fields(json!({"state": CaseState::Assessed})),
                Some("assessed"),
            )
            .await?;
        }
        w.commit().await?;
        let row = rows::<AssessmentRow>(
            "case_assessments",
            vec![self
                .store()
                .case_row("case_assessments", aid)
                .await?
                .unwrap_or_default()],
        )?
        .remove(0);
        Ok((row, assessment))
    }

    /// Signs the latest assessment. The signature records its meaning, the signer, the day and
    /// the SHA-256 of what was signed (the assessment's input and output).
    pub async fn sign_assessment(
        &self,
        actor: &Actor,
        id: i64,
        meaning: SignatureMeaning,
        verifier: &dyn SignerVerifier,
        at: Date,
    ) -> Result<SignatureRow, AppError> {
        let view = self.case(id).await?;
        let a = view
            .assessment()
            .ok_or_else(|| bad(format!("case {id} has no assessment to sign (case assess)")))?;
        Self::check_day(&view.case, "the signature date", at, at)?;
        verifier
            .verify_signer(actor, meaning)
            .map_err(|e| bad(format!("signature refused: {e}")))?;
        let mut w = self.store().case_write(actor).await?;
        let sid = w
            .insert(
                "case_signatures",
                "case.sign",
                fields(json!({
                    "case_id": id, "assessment_id": a.id, "signer": actor.as_str(),
                    "meaning": meaning, "signed_on": at, "signed_sha256": a.sha256,
                })),
                Some(verifier.method()),
            )
            .await?;
        w.commit().await?;
        Ok(rows::<SignatureRow>(
            "case_signatures",
            vec![self
                .store()
                .case_row("case_signatures", sid)
                .await?
                .unwrap_or_default()],
        )?
        .remove(0))
    }

    // One private helper for every dated record keeps the checks (open case, day within T0..at)
    // in one place; its arguments are that record's description.
    #[allow(clippy::too_many_arguments)]
    async fn add_record(
        &self,
        actor: &Actor,
        id: i64,
        table: &str,
        action: &str,
        what: &str,
        day_field: &str,
        mut record: Value,
        reason: Option<&str>,
        at: Date,
    ) -> Result<i64, AppError> {
        let case = self.case_row(id).await?;
        Self::check_open(&case, what)?;
        let day: Date = record[day_field]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| AppError::Internal(format!("{table}.{day_field} missing")))?;
        Self::check_day(&case, &format!("the {what} date"), day, at)?;
        record["case_id"] = json!(id);
        let mut w = self.store().case_write(actor).await?;
        let rid = w.insert(table, action, fields(record), reason).await?;
        w.commit().await?;
        Ok(rid)
    }

    /// Records the remediation plan with its timeline rationale (§VII.B(2)).
    pub async fn add_remediation_plan(
        &self,
        actor: &Actor,
        id: i64,
        description: &str,
        timeline_rationale: &str,
        at: Date,
    ) -> Result<i64, AppError> {
        non_empty("the plan's description", description)?;
        non_empty("the plan's timeline rationale", timeline_rationale)?;
        self.add_record(actor, id, "case_plans", "case.plan", "remediation plan", "made_on",
            json!({"made_on": at, "description": description.trim(), "timeline_rationale": timeline_rationale.trim()}), None, at).await
    }

    /// Records an interim compensating control; refused without the attestation that it adds
    /// no more risk than the vulnerability (§VII.B(2), §IV.G).
    pub async fn add_interim_control(
        &self,
        actor: &Actor,
        id: i64,
        description: &str,
        adds_no_risk_attestation: &str,
        at: Date,
    ) -> Result<i64, AppError> {
        non_empty("the control's description", description)?;
        if adds_no_risk_attestation.trim().is_empty() {
            return Err(bad("an interim compensating control needs the attestation that it adds no more risk than the vulnerability (--attest)"));
        }
        self.add_record(actor, id, "case_controls", "case.control", "interim control", "identified_on",
            json!({"identified_on": at, "description": description.trim(), "adds_no_risk_attestation": adds_no_risk_attestation.trim()}), None, at).await
    }

    /// Records a customer notification sent on `at`; refused, naming the element, unless it has
    /// FDA's four elements.
    pub async fn notify_customers(
        &self,
        actor: &Actor,
        id: i64,
        recipients: &str,
        draft: NoticeDraft,
        at: Date,
    ) -> Result<i64, AppError> {
        let notice = Notice::new(draft).map_err(program)?;
        non_empty("the recipients", recipients)?;
        self.add_record(actor, id, "case_notifications", "case.notify", "notification", "sent_on",
            json!({"sent_on": at, "recipients": recipients.trim(),
                "vulnerability_and_impact": notice.vulnerability_and_impact, "work_under_way": notice.work_under_way,
                "compensating_controls": notice.compensating_controls, "fix_coming": notice.fix_coming}), None, at).await
    }

    /// Logs a share with an ISAO (what, when, which). `isao` defaults to the member ISAO of the
    /// program settings; a notification id says which customer notice was shared.
    pub async fn share_with_isao(
        &self,
        actor: &Actor,
        id: i64,
        isao: Option<&str>,
        what: &str,
        notification_id: Option<i64>,
        at: Date,
    ) -> Result<i64, AppError> {
        let name = match isao {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => self.program_settings().await?.isao.map(|m| m.name).ok_or_else(|| bad("no ISAO given (--isao) and none in the program settings (postmarket isao set)"))?,
        };
        non_empty("what was shared", what)?;
        if let Some(n) = notification_id {
            let view = self.case(id).await?;
            if !view.notifications.iter().any(|x| x.id == n) {
                return Err(bad(format!("case {id} has no notification {n}")));
            }
        }
        self.add_record(actor, id, "case_isao_shares", "case.share", "ISAO share", "shared_on",
            json!({"isao": name, "shared_on": at, "what": what.trim(), "notification_id": notification_id}), None, at).await
    }

    /// Records the fix: the release that carries it, when validated and distributed, and the
    /// in-cycle / out-of-cycle tag with its justification (§524B(b)(2)).
    pub async fn record_fix(
        &self,
        actor: &Actor,
        id: i64,
        fix: &NewFix,
        at: Date,
    ) -> Result<i64, AppError> {
        let case = self.case_row(id).await?;
        if !matches!(
            case.state,
            CaseState::Assessed
                | CaseState::RoutineUpdate
                | CaseState::Remediation
                | CaseState::Fixed
        ) {
            return Err(bad(format!(
                "case {id} is {}: a fix is recorded once the case is assessed",
                case.state
            )));
        }
        non_empty("the fix's justification", &fix.justification)?;
        for (what, d) in [
            ("validation", fix.validated_on),
            ("distribution", fix.distributed_on),
        ] {
            if let Some(d) = d {
                Self::check_day(&case, &format!("the {what} date"), d, at)?;
            }
        }
        if let (Some(v), Some(d)) = (fix.validated_on, fix.distributed_on) {
            if d < v {
                return Err(bad(format!(
                    "the fix was distributed ({d}) before it was validated ({v})"
                )));
            }
        }
        let device = self.device_by_id(case.device_id).await?;
        let release = self.store().release(&device.name, &fix.release).await?;
        let mut w = self.store().case_write(actor).await?;
        let fid = w
            .insert(
                "case_fixes",
                "case.fix",
                fields(json!({
            "case_id": id, "release_id": release.id, "validated_on": fix.validated_on,
            "distributed_on": fix.distributed_on, "cycle": fix.cycle.as_str(),
            "justification": fix.justification.trim()})),
                None,
            )
            .await?;
        w.commit().await?;
        Ok(fid)
    }

    /// Records units of a fixed release deployed in the field on a day (for the metrics).
    pub async fn record_deployment(
        &self,
        actor: &Actor,
        id: i64,
        release: &ReleaseVersion,
        on: Date,
        units: i64,
        at: Date,
    ) -> Result<i64, AppError> {
        let view = self.case(id).await?;
        if units < 0 {
            return Err(bad("units must not be negative"));
        }
        let Some(rel) = view.releases.iter().find(|r| r.version == release.as_str()) else {
            return Err(bad(format!("release {release} carries no fix of case {id} (case fix --release {release} first)")));
        };
        let fix = view
            .fixes
            .iter()
            .find(|f| f.release_id == rel.id && f.distributed_on.is_some())
            .ok_or_else(|| {
                bad(format!(
                    "release {release} carries no distributed fix of case {id}"
                ))
            })?;
        Self::check_day(&view.case, "the deployment date", on, at)?;
        if fix.distributed_on.is_some_and(|d| on < d) {
            return Err(bad(format!(
                "deployed on {on}, before the fix was distributed"
            )));
        }
        let mut w = self.store().case_write(actor).await?;
        let did = w
            .insert(
                "case_deployments",
                "case.deploy",
                fields(json!({
            "case_id": id, "release_id": rel.id, "deployed_on": on, "units": units})),
                None,
            )
            .await?;
        w.commit().await?;
        Ok(did)
    }

    /// Records a serious adverse event or death associated with the vulnerability (known on
    /// `known_on`), with its MDR number once filed (21 CFR 803). Recorded in any state: it is
    /// evidence even after closure.
    pub async fn record_adverse_event(
        &self,
        actor: &Actor,
        id: i64,
        known_on: Date,
        description: &str,
        mdr_number: Option<&str>,
        at: Date,
    ) -> Result<i64, AppError> {
        non_empty("the adverse event's description", description)?;
        let case = self.case_row(id).await?;
        Self::check_day(&case, "the adverse event date", known_on, at)?;
        let mut w = self.store().case_write(actor).await?;
        let aid = w.insert("case_adverse_events", "case.adverse_event", fields(json!({
            "case_id": id, "known_on": known_on, "description": description.trim(), "mdr_number": mdr_number})), None).await?;
        w.commit().await?;
        Ok(aid)
    }

    /// Records the acknowledgement sent to the reporter (CVD).
    pub async fn acknowledge_reporter(
        &self,
        actor: &Actor,
        id: i64,
        at: Date,
    ) -> Result<CaseView, AppError> {
        let case = self.case_row(id).await?;
        Self::check_day(&case, "the acknowledgement date", at, at)?;
        let mut w = self.store().case_write(actor).await?;
        w.update(
            "cases",
            id,
            "case.acknowledge",
            fields(json!({"acknowledged_on": at})),
            None,
        )
        .await?;
        w.commit().await?;
        self.case(id).await
    }

    /// Records the premarket-submission evaluation (PMA supplement / 510(k) or none, and why).
    pub async fn record_premarket_evaluation(
        &self,
        actor: &Actor,
        id: i64,
        eval: &PremarketEvaluation,
        at: Date,
    ) -> Result<i64, AppError> {
        let case = self.case_row(id).await?;
        let device = self.device_by_id(case.device_id).await?;
        eval.validate(device.pathway == Pathway::Pma)
            .map_err(program)?;
        let mut w = self.store().case_write(actor).await?;
        let did = w.insert("case_determinations", "case.premarket", fields(json!({
            "case_id": id, "kind": "premarket", "determined_on": at, "outcome": eval.submission.as_str(),
            "reason": eval.why.trim(), "reference": eval.reference,
            "detail_json": serde_json::to_string(eval).unwrap_or_default()})), None).await?;
        w.commit().await?;
        Ok(did)
    }

    /// Determines 806 / 803 from the evidence on `at` and records it, with an optional reference
    /// (the 806 report number when one was filed).
    pub async fn record_determination(
        &self,
        actor: &Actor,
        id: i64,
        reference: Option<&str>,
        at: Date,
    ) -> Result<CaseDetermination, AppError> {
        let detail = self.case_detail(id, at).await?;
        let det = detail.determination.ok_or_else(|| {
            bad(format!(
                "case {id} is not assessed: nothing to determine yet"
            ))
        })?;
        let outcome = serde_json::to_value(det.report_806)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let mut w = self.store().case_write(actor).await?;
        w.insert(
            "case_determinations",
            "case.determine",
            fields(json!({
            "case_id": id, "kind": "806", "determined_on": at, "outcome": outcome,
            "reason": det.reason, "reference": reference,
            "detail_json": serde_json::to_string(&det).unwrap_or_default()})),
            None,
        )
        .await?;
        w.commit().await?;
        Ok(det)
    }

    /// The clocks that are breached or due soon on `at`, over every open case: what a scheduler
    /// delivers as reminders.
    pub async fn due_clocks(&self, at: Date) -> Result<Vec<DueClock>, AppError> {
        let mut out = Vec::new();
        for c in self.clock_report(at).await? {
            for clock in needs_attention(&c.clocks) {
                out.push(DueClock {
                    case_id: c.case_id,
                    device: c.device.clone(),
                    vulnerability: c.vulnerability.clone(),
                    state: c.state,
                    clock: clock.clone(),
                });
            }
        }
        Ok(out)
    }
}
