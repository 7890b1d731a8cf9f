//! `postmarket case …`, `postmarket isao …`, `postmarket program …`: the case workflow
//! (issue 7), a thin front end over `postmarket_app::cases`. Every command that records
//! something takes `--at DATE`, the day it acts on (default: today, UTC).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use postmarket_app::cases::{
    CaseDetail, CliSigner, FixCycle, NewFix, OpenCase, SignatureMeaning, TransitionArgs,
};
use postmarket_app::App;
use postmarket_model::{Date, DeviceName, ReleaseVersion};
use postmarket_program::clocks::ClockConfig;
use postmarket_program::evidence::{CaseSource, PremarketEvaluation, PremarketSubmission};
use postmarket_program::isao::{CriterionEvidence, IsaoCriterion, IsaoMembership};
use postmarket_program::notice::NoticeDraft;
use postmarket_program::state::{CaseState, VexJustification};
use postmarket_risk::{
    AnalystChoice, AnalystOverride, AssessInput, ExploitabilityInput, ExploitabilityLevel,
    HarmSeverity, Risk,
};

use crate::commands::{actor, say};
use crate::output::{self, opt, Table};
use crate::{Failure, Global};

/// Today in UTC: the default for `--at`.
pub fn today() -> Date {
    Date::from_calendar(time::OffsetDateTime::now_utc().date())
}

fn parse_with<T: std::str::FromStr>(s: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct At {
    /// The day this acts on (YYYY-MM-DD) [default: today, UTC]
    #[arg(long, value_name = "DATE")]
    at: Option<Date>,
}

impl At {
    fn day(&self) -> Date {
        self.at.unwrap_or_else(today)
    }
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open cases from a coordinator's CSAF advisory (CISA ICSMA) for every device whose SBOM
    /// contains an affected product
    ImportAdvisory(crate::advisory_cmd::ImportAdvisoryArgs),
    /// List cases
    List {
        #[arg(long, value_name = "DEVICE")]
        device: Option<DeviceName>,
    },
    /// One case: records, allowed transitions, clocks and the 806/803 determination on --at
    Show {
        id: i64,
        #[command(flatten)]
        at: At,
    },
    /// Open a case by hand (researcher report, ISAO share, complaint, internal test)
    Open(OpenArgs),
    /// Move a case to another state
    Transition(TransitionCmd),
    /// Assess a case (exploitability × harm → controlled / uncontrolled) under the approved matrix
    Assess(AssessCmd),
    /// Sign the latest assessment with a meaning (approved, reviewed, rejected)
    Sign {
        id: i64,
        #[arg(long, value_parser = parse_with::<SignatureMeaning>)]
        meaning: SignatureMeaning,
        #[command(flatten)]
        at: At,
    },
    /// Record the remediation plan and its timeline rationale
    Plan {
        id: i64,
        #[arg(long)]
        description: String,
        #[arg(long, value_name = "TEXT")]
        timeline_rationale: String,
        #[command(flatten)]
        at: At,
    },
    /// Record an interim compensating control and the attestation that it adds no risk
    Control {
        id: i64,
        #[arg(long)]
        description: String,
        /// The attestation that the control adds no more risk than the vulnerability
        #[arg(long, value_name = "TEXT")]
        attest: String,
        #[command(flatten)]
        at: At,
    },
    /// Record a customer notification; refused without FDA's four elements
    Notify(NotifyCmd),
    /// Log a share with an ISAO
    Share {
        id: i64,
        /// The ISAO [default: the member ISAO in the program settings]
        #[arg(long)]
        isao: Option<String>,
        /// What was shared
        #[arg(long)]
        what: String,
        /// The customer notification shared (its id)
        #[arg(long, value_name = "ID")]
        notification: Option<i64>,
        #[command(flatten)]
        at: At,
    },
    /// Record the fix: release, validation and distribution dates, in-cycle or out-of-cycle
    Fix {
        id: i64,
        #[arg(long, value_name = "VERSION")]
        release: ReleaseVersion,
        #[arg(long, value_name = "DATE")]
        validated_on: Option<Date>,
        #[arg(long, value_name = "DATE")]
        distributed_on: Option<Date>,
        #[arg(long, value_parser = parse_with::<FixCycle>)]
        cycle: FixCycle,
        #[arg(long)]
        justification: String,
        #[command(flatten)]
        at: At,
    },
    /// Record units of a fixed release deployed in the field
    Deploy {
        id: i64,
        #[arg(long, value_name = "VERSION")]
        release: ReleaseVersion,
        #[arg(long)]
        units: i64,
        /// Day of deployment [default: --at]
        #[arg(long, value_name = "DATE")]
        on: Option<Date>,
        #[command(flatten)]
        at: At,
    },
    /// Record a serious adverse event or death associated with the vulnerability
    AdverseEvent {
        id: i64,
        #[arg(long)]
        description: String,
        #[arg(long, value_name = "NUMBER")]
        mdr_number: Option<String>,
        /// Day it became known [default: --at]
        #[arg(long, value_name = "DATE")]
        known_on: Option<Date>,
        #[command(flatten)]
        at: At,
    },
    /// Record the acknowledgement sent to the reporter (CVD)
    Acknowledge {
        id: i64,
        #[command(flatten)]
        at: At,
    },
    /// Record the premarket-submission evaluation (PMA supplement, 30-day notice, 510(k) or none)
    Premarket {
        id: i64,
        #[arg(long, value_parser = parse_with::<PremarketSubmission>)]
        submission: PremarketSubmission,
        #[arg(long)]
        why: String,
        #[arg(long)]
        reference: Option<String>,
        #[command(flatten)]
        at: At,
    },
    /// Determine 806 / 803 from the evidence on --at and record it
    Determine {
        id: i64,
        /// The 806 report number, when one was filed
        #[arg(long)]
        reference: Option<String>,
        #[command(flatten)]
        at: At,
    },
    /// Close a case (from routine-update, or from fixed once the premarket evaluation is recorded)
    Close {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        at: At,
    },
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    #[arg(long)]
    device: DeviceName,
    /// CVE, GHSA, ICSMA or an internal id
    #[arg(long)]
    vulnerability: String,
    /// feed, researcher, isao, complaint or internal-test
    #[arg(long, value_parser = parse_with::<CaseSource>)]
    source: CaseSource,
    /// Affected release (repeat for each)
    #[arg(long = "release", value_name = "VERSION", required = true)]
    releases: Vec<ReleaseVersion>,
    /// When the manufacturer learned of it [default: --at]
    #[arg(long, value_name = "DATE")]
    t0: Option<Date>,
    #[arg(long)]
    title: Option<String>,
    /// Who reported it, the complaint number, the ISAO bulletin …
    #[arg(long, value_name = "TEXT")]
    source_detail: Option<String>,
    /// CISA / ISAO advisory reference
    #[arg(long, value_name = "REF")]
    advisory: Option<String>,
    #[command(flatten)]
    at: At,
}

#[derive(Debug, Args)]
pub struct TransitionCmd {
    id: i64,
    /// new, triage, assessed, routine-update, remediation, fixed, closed, not-affected, duplicate
    #[arg(value_parser = parse_with::<CaseState>)]
    to: CaseState,
    /// For not-affected: component_not_present, vulnerable_code_not_present, …
    #[arg(long, value_parser = parse_with::<VexJustification>)]
    justification: Option<VexJustification>,
    /// For duplicate: the case it duplicates
    #[arg(long, value_name = "CASE")]
    duplicate_of: Option<i64>,
    #[arg(long)]
    reason: Option<String>,
    #[command(flatten)]
    at: At,
}

#[derive(Debug, Args)]
pub struct AssessCmd {
    id: i64,
    /// The whole assessment input as JSON (postmarket-risk AssessInput); flags are then not used
    #[arg(long, value_name = "FILE", conflicts_with_all = ["exploitability", "rubric", "harm"])]
    input: Option<PathBuf>,
    /// Exploitability set by the analyst: high, medium or low (needs --exploitability-rationale)
    #[arg(long, value_parser = parse_with::<ExploitabilityLevel>)]
    exploitability: Option<ExploitabilityLevel>,
    #[arg(long, value_name = "TEXT")]
    exploitability_rationale: Option<String>,
    /// MITRE rubric answers (JSON): the exploitability sub-score comes from its vector
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Listed in CISA KEV
    #[arg(long)]
    kev: bool,
    /// Severity of patient harm: negligible, minor, serious, critical, catastrophic
    #[arg(long, value_parser = parse_with::<HarmSeverity>)]
    harm: Option<HarmSeverity>,
    /// The impact is on confidentiality (PHI) only
    #[arg(long)]
    confidentiality_only: bool,
    /// For an R cell: controlled or uncontrolled
    #[arg(long, value_parser = parse_with::<Risk>)]
    decision: Option<Risk>,
    /// The written rationale
    #[arg(long, value_name = "TEXT")]
    rationale: Option<String>,
    /// A compensating control already in place (repeatable)
    #[arg(long = "compensating-control", value_name = "TEXT")]
    compensating_controls: Vec<String>,
    #[command(flatten)]
    at: At,
}

#[derive(Debug, Args)]
pub struct NotifyCmd {
    id: i64,
    #[arg(long)]
    recipients: String,
    /// (a) the vulnerability and an impact assessment
    #[arg(long, value_name = "TEXT")]
    vulnerability_impact: Option<String>,
    /// (b) that efforts to address the risk are under way
    #[arg(long, value_name = "TEXT")]
    work_under_way: Option<String>,
    /// (c) the compensating controls
    #[arg(long, value_name = "TEXT")]
    compensating_controls: Option<String>,
    /// (d) that a fix is in progress and its availability will be communicated
    #[arg(long, value_name = "TEXT")]
    fix_coming: Option<String>,
    #[command(flatten)]
    at: At,
}

#[derive(Debug, Subcommand)]
pub enum IsaoCommand {
    /// Record the ISAO membership with evidence for the four participation criteria (§IX)
    Set(IsaoSetArgs),
    /// Record that there is no ISAO membership
    Clear {
        #[arg(long)]
        reason: Option<String>,
    },
    /// Show the membership
    Show,
}

#[derive(Debug, Args)]
pub struct IsaoSetArgs {
    #[arg(long)]
    name: String,
    #[arg(long, value_name = "DATE")]
    since: Date,
    /// Last day of membership, if it ended or will end
    #[arg(long, value_name = "DATE")]
    until: Option<Date>,
    /// Evidence for criterion 1: membership of an ISAO sharing medical-device vulnerabilities
    #[arg(long, value_name = "TEXT")]
    membership_evidence: String,
    /// Evidence for criterion 2: the ISAO's documented policies
    #[arg(long, value_name = "TEXT")]
    policies_evidence: String,
    /// Evidence for criterion 3: the manufacturer shares vulnerability information
    #[arg(long, value_name = "TEXT")]
    sharing_evidence: String,
    /// Evidence for criterion 4: documented, risk-traceable processes for ISAO intelligence
    #[arg(long, value_name = "TEXT")]
    processes_evidence: String,
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// The program settings in force (matrix, policy, clocks, ISAO, CVD)
    Show,
    /// Set the clocks
    Clocks {
        /// Business days to acknowledge a researcher's report [default 5]
        #[arg(long, value_name = "N")]
        cvd_ack_business_days: Option<u32>,
        /// Calendar days from T0 for a controlled case's routine update [default 90]
        #[arg(long, value_name = "N")]
        controlled_target_days: Option<u32>,
        /// Days before a due date that a clock counts as due soon [default 7]
        #[arg(long, value_name = "N")]
        due_soon_days: Option<u32>,
        #[arg(long)]
        reason: Option<String>,
    },
}

fn read(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} {}: {e}", path.display())))
}

fn assess_input(args: &AssessCmd) -> Result<(AssessInput, Option<serde_json::Value>), Failure> {
    if let Some(p) = &args.input {
        let text = read(p, "assessment input")?;
        let input: AssessInput = serde_json::from_str(&text).map_err(|e| {
            Failure::usage(format!(
                "{}:{}:{}: {e} (expected postmarket-risk's assessment input)",
                p.display(),
                e.line(),
                e.column()
            ))
        })?;
        return Ok((input, None));
    }
    let harm = args
        .harm
        .ok_or_else(|| Failure::usage("--harm is required (or --input FILE)"))?;
    let rationale = args
        .rationale
        .clone()
        .ok_or_else(|| Failure::usage("--rationale is required: the written rationale"))?;
    let mut exploitability = ExploitabilityInput::default();
    exploitability.signals.kev = args.kev;
    let mut answers = None;
    if let Some(p) = &args.rubric {
        let text = read(p, "rubric answers")?;
        let r = postmarket_risk::rubric::evaluate_json(&text)
            .map_err(|e| Failure::usage(format!("rubric answers {}: {e}", p.display())))?;
        exploitability.signals.subscore = Some(r.exploitability_subscore);
        answers = Some(
            serde_json::from_str(&text)
                .map_err(|e| Failure::usage(format!("{}: {e}", p.display())))?,
        );
    }
    if let Some(level) = args.exploitability {
        let why = args.exploitability_rationale.clone().ok_or_else(|| {
            Failure::usage("--exploitability needs --exploitability-rationale (why this level)")
        })?;
        exploitability.analyst_override = Some(AnalystOverride {
            level,
            rationale: why,
        });
    }
    if exploitability.analyst_override.is_none() && exploitability.signals.subscore.is_none() {
        return Err(Failure::usage(
            "give --exploitability LEVEL (with --exploitability-rationale) or --rubric FILE",
        ));
    }
    Ok((
        AssessInput {
            exploitability,
            harm,
            confidentiality_only: args.confidentiality_only,
            analyst_decision: args.decision.map(|risk| AnalystChoice {
                risk,
                rationale: rationale.clone(),
            }),
            compensating_controls: args.compensating_controls.clone(),
            rationale,
            ssvc: None,
            reporting: Default::default(),
            residual: None,
        },
        answers,
    ))
}

fn print_detail(g: &Global, d: &CaseDetail) -> Result<(), Failure> {
    if g.json {
        return output::json(d);
    }
    let c = &d.view.case;
    println!("case {}  {}  on {}", c.id, c.vulnerability, d.view.device);
    println!(
        "state       {} (next: {})",
        c.state,
        d.allowed_next
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "T0          {} ({}{})",
        c.t0,
        c.source,
        c.source_detail
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default()
    );
    println!(
        "releases    {}",
        d.view
            .releases
            .iter()
            .map(|r| r.version.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(a) = d.view.assessment() {
        println!(
            "assessment  {} on {} (matrix v{}, policy v{}; {}), signed: {}",
            a.risk,
            a.assessed_on,
            a.matrix_version,
            a.policy_version,
            a.rationale,
            if d.view.approved() { "approved" } else { "no" }
        );
    }
    for cl in &d.clocks {
        println!(
            "clock       {:<20} due {} ({} days left) {}{}",
            serde_json::to_value(cl.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            cl.due,
            cl.days_left,
            serde_json::to_value(cl.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            cl.met_on.map(|m| format!(" on {m}")).unwrap_or_default()
        );
    }
    if let Some(det) = &d.determination {
        println!(
            "806         {}{}: {}",
            serde_json::to_value(det.report_806)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            if det.provisional {
                " (provisional)"
            } else {
                ""
            },
            det.reason
        );
        println!(
            "803 (MDR)   {}",
            if det.report_803 { "required" } else { "no" }
        );
        for cond in &det.conditions {
            println!(
                "  [{}] {}",
                if cond.met {
                    "x"
                } else if cond.pending {
                    "…"
                } else {
                    " "
                },
                cond.explanation
            );
        }
    }
    println!(
        "records     {} notification(s), {} control(s), {} plan(s), {} fix(es), {} deployment(s), {} ISAO share(s), {} adverse event(s)",
        d.view.notifications.len(), d.view.controls.len(), d.view.plans.len(), d.view.fixes.len(),
        d.view.deployments.len(), d.view.isao_shares.len(), d.view.adverse_events.len()
    );
    Ok(())
}

async fn detail(g: &Global, app: &App, id: i64, at: Date) -> Result<u8, Failure> {
    let d = app.case_detail(id, at).await?;
    print_detail(g, &d)?;
    Ok(0)
}

fn recorded(g: &Global, what: &str, id: i64, case: i64) -> Result<(), Failure> {
    if g.json {
        output::json(&serde_json::json!({"case": case, "recorded": what, "id": id}))
    } else {
        say(g, format!("case {case}: {what} {id} recorded"));
        Ok(())
    }
}

pub async fn case(g: &Global, url: &str, cmd: CaseCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let who = actor(g)?;
    let code = match cmd {
        CaseCommand::ImportAdvisory(a) => {
            crate::advisory_cmd::import_advisory(g, &app, &who, a).await?
        }
        CaseCommand::List { device } => {
            let cases = app.cases(device.as_ref()).await?;
            if g.json {
                output::json(&cases)?;
            } else {
                let mut t = Table::new(&["id", "vulnerability", "state", "t0", "source", "title"])
                    .right_align(0);
                for c in &cases {
                    t.row(vec![
                        c.id.to_string(),
                        c.vulnerability.clone(),
                        c.state.to_string(),
                        c.t0.to_string(),
                        c.source.to_string(),
                        opt(c.title.as_deref()),
                    ]);
                }
                t.print();
            }
            0
        }
        CaseCommand::Show { id, at } => detail(g, &app, id, at.day()).await?,
        CaseCommand::Open(a) => {
            let at = a.at.day();
            let view = app
                .open_case(
                    &who,
                    &OpenCase {
                        device: a.device,
                        vulnerability: a.vulnerability,
                        title: a.title,
                        source: a.source,
                        source_detail: a.source_detail,
                        advisory_ref: a.advisory,
                        releases: a.releases,
                        t0: a.t0.unwrap_or(at),
                    },
                    at,
                )
                .await?;
            if g.json {
                output::json(&view)?;
            } else {
                say(
                    g,
                    format!(
                        "opened case {} ({} on {}, T0 {})",
                        view.id(),
                        view.case.vulnerability,
                        view.device,
                        view.case.t0
                    ),
                );
            }
            0
        }
        CaseCommand::Transition(t) => {
            let at = t.at.day();
            let view = app
                .transition(
                    &who,
                    t.id,
                    t.to,
                    &TransitionArgs {
                        reason: t.reason,
                        vex_justification: t.justification,
                        duplicate_of: t.duplicate_of,
                    },
                    at,
                )
                .await?;
            say(g, format!("case {} is now {}", view.id(), view.state()));
            0
        }
        CaseCommand::Assess(a) => {
            let at = a.at.day();
            let (input, answers) = assess_input(&a)?;
            let (row, assessment) = app
                .assess_case(&who, a.id, &input, answers.as_ref(), at)
                .await?;
            if g.json {
                output::json(&serde_json::json!({"assessment": row, "result": assessment}))?;
            } else {
                say(
                    g,
                    format!(
                        "case {}: assessment {} → {} (sign it: case sign {} --meaning approved)",
                        a.id, row.id, row.risk, a.id
                    ),
                );
                for line in &assessment.reasoning {
                    say(g, format!("  {line}"));
                }
            }
            0
        }
        CaseCommand::Sign { id, meaning, at } => {
            let s = app
                .sign_assessment(&who, id, meaning, &CliSigner, at.day())
                .await?;
            if g.json {
                output::json(&s)?;
            } else {
                say(
                    g,
                    format!(
                        "case {id}: assessment {} signed {} by {} on {} (sha256 {})",
                        s.assessment_id, s.meaning, s.signer, s.signed_on, s.signed_sha256
                    ),
                );
            }
            0
        }
        CaseCommand::Plan {
            id,
            description,
            timeline_rationale,
            at,
        } => {
            let rid = app
                .add_remediation_plan(&who, id, &description, &timeline_rationale, at.day())
                .await?;
            recorded(g, "remediation plan", rid, id)?;
            0
        }
        CaseCommand::Control {
            id,
            description,
            attest,
            at,
        } => {
            let rid = app
                .add_interim_control(&who, id, &description, &attest, at.day())
                .await?;
            recorded(g, "interim control", rid, id)?;
            0
        }
        CaseCommand::Notify(n) => {
            let draft = NoticeDraft {
                vulnerability_and_impact: n.vulnerability_impact,
                work_under_way: n.work_under_way,
                compensating_controls: n.compensating_controls,
                fix_coming: n.fix_coming,
            };
            let rid = app
                .notify_customers(&who, n.id, &n.recipients, draft, n.at.day())
                .await?;
            recorded(g, "notification", rid, n.id)?;
            0
        }
        CaseCommand::Share {
            id,
            isao,
            what,
            notification,
            at,
        } => {
            let rid = app
                .share_with_isao(&who, id, isao.as_deref(), &what, notification, at.day())
                .await?;
            recorded(g, "ISAO share", rid, id)?;
            0
        }
        CaseCommand::Fix {
            id,
            release,
            validated_on,
            distributed_on,
            cycle,
            justification,
            at,
        } => {
            let rid = app
                .record_fix(
                    &who,
                    id,
                    &NewFix {
                        release,
                        validated_on,
                        distributed_on,
                        cycle,
                        justification,
                    },
                    at.day(),
                )
                .await?;
            recorded(g, "fix", rid, id)?;
            0
        }
        CaseCommand::Deploy {
            id,
            release,
            units,
            on,
            at,
        } => {
            let day = at.day();
            let rid = app
                .record_deployment(&who, id, &release, on.unwrap_or(day), units, day)
                .await?;
            recorded(g, "deployment", rid, id)?;
            0
        }
        CaseCommand::AdverseEvent {
            id,
            description,
            mdr_number,
            known_on,
            at,
        } => {
            let day = at.day();
            let rid = app
                .record_adverse_event(
                    &who,
                    id,
                    known_on.unwrap_or(day),
                    &description,
                    mdr_number.as_deref(),
                    day,
                )
                .await?;
            recorded(g, "adverse event", rid, id)?;
            0
        }
        CaseCommand::Acknowledge { id, at } => {
            app.acknowledge_reporter(&who, id, at.day()).await?;
            say(
                g,
                format!("case {id}: reporter acknowledged on {}", at.day()),
            );
            0
        }
        CaseCommand::Premarket {
            id,
            submission,
            why,
            reference,
            at,
        } => {
            let rid = app
                .record_premarket_evaluation(
                    &who,
                    id,
                    &PremarketEvaluation {
                        submission,
                        why,
                        reference,
                    },
                    at.day(),
                )
                .await?;
            recorded(g, "premarket evaluation", rid, id)?;
            0
        }
        CaseCommand::Determine { id, reference, at } => {
            let det = app
                .record_determination(&who, id, reference.as_deref(), at.day())
                .await?;
            if g.json {
                output::json(&det)?;
            } else {
                say(
                    g,
                    format!(
                        "case {id}: 806 {}{}; 803 {}: {}",
                        serde_json::to_value(det.report_806)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        if det.provisional {
                            " (provisional)"
                        } else {
                            ""
                        },
                        if det.report_803 { "required" } else { "no" },
                        det.reason
                    ),
                );
            }
            0
        }
        CaseCommand::Close { id, reason, at } => {
            let view = app
                .close_case(&who, id, reason.as_deref(), at.day())
                .await?;
            say(g, format!("case {} closed on {}", view.id(), at.day()));
            0
        }
    };
    app.store().close().await;
    Ok(code)
}

pub async fn isao(g: &Global, url: &str, cmd: IsaoCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let who = actor(g)?;
    match cmd {
        IsaoCommand::Set(a) => {
            let evidence = [
                (IsaoCriterion::Membership, a.membership_evidence),
                (IsaoCriterion::DocumentedPolicies, a.policies_evidence),
                (IsaoCriterion::SharesInformation, a.sharing_evidence),
                (IsaoCriterion::RiskTraceableProcesses, a.processes_evidence),
            ];
            let m = IsaoMembership {
                name: a.name,
                member_since: a.since,
                member_until: a.until,
                criteria: evidence
                    .into_iter()
                    .map(|(criterion, evidence)| CriterionEvidence {
                        criterion,
                        evidence,
                    })
                    .collect(),
            };
            app.set_isao_membership(&who, Some(&m), a.reason.as_deref())
                .await?;
            say(
                g,
                format!(
                    "ISAO membership recorded: {} since {}{}",
                    m.name,
                    m.member_since,
                    m.member_until
                        .map(|u| format!(" until {u}"))
                        .unwrap_or_default()
                ),
            );
        }
        IsaoCommand::Clear { reason } => {
            app.set_isao_membership(&who, None, reason.as_deref())
                .await?;
            say(g, "ISAO membership cleared");
        }
        IsaoCommand::Show => {
            let m = app.program_settings().await?.isao;
            if g.json {
                output::json(&m)?;
            } else {
                match m {
                    None => println!("no ISAO membership recorded"),
                    Some(m) => {
                        println!(
                            "{} since {}{}",
                            m.name,
                            m.member_since,
                            m.member_until
                                .map(|u| format!(" until {u}"))
                                .unwrap_or_default()
                        );
                        for c in &m.criteria {
                            println!("  {}: {}", c.criterion.describe(), c.evidence);
                        }
                    }
                }
            }
        }
    }
    app.store().close().await;
    Ok(0)
}

pub async fn program(g: &Global, url: &str, cmd: ProgramCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let who = actor(g)?;
    match cmd {
        ProgramCommand::Show => {
            let s = app.program_settings().await?;
            if g.json {
                output::json(&s)?;
            } else {
                println!(
                    "risk matrix   v{} ({})",
                    s.risk.matrix.version(),
                    s.risk_source
                );
                println!("policy        v{}", s.risk.policy.version);
                println!("clocks        CVD acknowledgement {} business days; controlled target {} days; due soon at {} days", s.clocks.cvd_ack_business_days, s.clocks.controlled_target_days, s.clocks.due_soon_days);
                println!(
                    "ISAO          {}",
                    s.isao.as_ref().map_or_else(
                        || "none".to_string(),
                        |m| format!("{} since {}", m.name, m.member_since)
                    )
                );
            }
        }
        ProgramCommand::Clocks {
            cvd_ack_business_days,
            controlled_target_days,
            due_soon_days,
            reason,
        } => {
            let mut c: ClockConfig = app.program_settings().await?.clocks;
            if let Some(v) = cvd_ack_business_days {
                c.cvd_ack_business_days = v;
            }
            if let Some(v) = controlled_target_days {
                c.controlled_target_days = v;
            }
            if let Some(v) = due_soon_days {
                c.due_soon_days = v;
            }
            app.set_clock_config(&who, &c, reason.as_deref()).await?;
            say(g, format!("clocks: CVD acknowledgement {} business days; controlled target {} days; due soon at {} days", c.cvd_ack_business_days, c.controlled_target_days, c.due_soon_days));
        }
    }
    app.store().close().await;
    Ok(0)
}
