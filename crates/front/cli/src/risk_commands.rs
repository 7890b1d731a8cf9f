//! `postmarket cvss`, `postmarket rubric` and `postmarket assess`: the FDA risk logic
//! (DESIGN.md §4) on the command line, stateless — nothing is read from or written to the
//! database. The case workflow will store the same assessment on a case.
//!
//! Errors follow DESIGN.md §8: bad input exits 2 with one line naming the value, file or
//! question and what was expected.

use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};
use postmarket_cvss::{CvssError, Scores, Vector};
use postmarket_program::ssvc_inputs::{maturity, ssvc_inputs, SsvcGiven, SsvcInputs};
use postmarket_risk::decision::AnalystChoice;
use postmarket_risk::exploitability::Rule;
use postmarket_risk::remediation::{suggest, RemediationSuggestion};
use postmarket_risk::rubric::{self, Category, ImpactDerivation, Step};
use postmarket_risk::ssvc::{
    supplier_decision, Automatable, Exploitation, SsvcDecision, TechnicalImpact, ValueDensity,
};
use postmarket_risk::{
    assess, AnalystOverride, ApprovedMatrix, AssessInput, Assessment, CellValue,
    Error as RiskError, ExploitabilityAssessment, ExploitabilityInput, ExploitabilityLevel,
    ExploitabilityPolicy, ExploitabilitySignals, HarmAssessment, HarmSeverity, MatrixCell,
    ReportingDetermination, Risk, RiskDecision, RiskMatrix, Settings,
};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::output::{self, opt, Table};
use crate::{Failure, Global};

// ---- postmarket cvss ------------------------------------------------------------------------

/// How the scores are reported, for `--help`.
const CVSS_NOTES: &str = "\
Every vector is parsed first; if any is malformed nothing is printed and the command exits 2
naming the vector, its position and the offending metric or value (all or nothing, so --json
output is never a partial array).

Scores: for 2.0 and 3.x, temporal and environmental are always computed, with Not Defined
metrics at their neutral values, as the FIRST calculators show them. For 3.1 the environmental
equation differs from the base one under Scope:Changed, so a bare vector can score differently:
CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H is base 9.6, environmental 9.7. For 4.0 the one
CVSS 4.0 score is `base`, `nomenclature` says which groups it covers (CVSS-B, -BT, -BE, -BTE) and
the other scores are null. `impact` and `exploitability` are the base sub-scores rounded to one
decimal as NVD publishes them; `severity` rates the base score. `vector` is the normalised
vector (specification order, Not Defined metrics left out).

--json prints an array with one object per vector, keys exactly: vector, version, base,
temporal, environmental, impact, exploitability, severity, nomenclature.";

#[derive(Debug, Args)]
#[command(after_long_help = CVSS_NOTES)]
pub struct CvssArgs {
    /// CVSS vectors: CVSS:3.0/…, CVSS:3.1/…, CVSS:4.0/…, or a bare CVSS 2.0 vector
    #[arg(required = true, value_name = "VECTOR")]
    vectors: Vec<String>,
}

fn parse_vector(text: &str) -> Result<Vector, CvssError> {
    text.parse::<Vector>()
}

/// The scores `postmarket cvss` reports: `scores_full` for 2.0 / 3.x (see [`CVSS_NOTES`]).
fn report_scores(v: &Vector) -> Scores {
    v.scores_full()
}

pub fn cvss(g: &Global, args: CvssArgs) -> Result<u8, Failure> {
    let mut all = Vec::with_capacity(args.vectors.len());
    for (i, text) in args.vectors.iter().enumerate() {
        let v = parse_vector(text).map_err(|e| {
            Failure::usage(format!(
                "bad CVSS vector {text:?} (argument {}): {e}",
                i + 1
            ))
        })?;
        all.push(report_scores(&v));
    }
    if g.json {
        output::json(&all)?;
        return Ok(0);
    }
    let mut t = Table::new(&[
        "VERSION",
        "BASE",
        "TEMPORAL",
        "ENVIRONMENTAL",
        "IMPACT",
        "EXPLOITABILITY",
        "SEVERITY",
        "VECTOR",
    ])
    .right_align(1)
    .right_align(2)
    .right_align(3)
    .right_align(4)
    .right_align(5);
    let score = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.1}"));
    for s in &all {
        t.row(vec![
            match &s.nomenclature {
                Some(n) => format!("{} {n}", s.version),
                None => s.version.to_string(),
            },
            format!("{:.1}", s.base),
            score(s.temporal),
            score(s.environmental),
            score(s.impact),
            score(s.exploitability),
            s.severity.to_string(),
            s.vector.clone(),
        ]);
    }
    t.print();
    Ok(0)
}

// ---- postmarket rubric ----------------------------------------------------------------------

const RUBRIC_NOTES: &str = "\
The answers file is one JSON object of question id → answer, e.g.
  {\"XAVN\": \"yes\", \"XAVT\": \"no\", \"XACL\": \"yes\", \"XCP\": \"yes\", \"XCPM\": \"no\"}
Yes/no questions take yes, no or unknown; the C/I/A questions take high, low, none or unknown.
A question left out counts as unknown, which resolves to the worse value (MITRE rubric). An
unknown id, an answer the question does not take, or an id given twice is refused (exit 2)
naming the file, the question and the answer.

Output: the CVSS 3.1 base vector and its scores, then per metric the questions on its decision
path (the last one decided it) and, for C/I/A, each category's value and which set the maximum.
--json prints the same as one object.";

#[derive(Debug, Args)]
#[command(after_long_help = RUBRIC_NOTES)]
pub struct RubricArgs {
    /// The analyst's answers (JSON object: question id → answer)
    #[arg(long, value_name = "FILE.json")]
    answers: PathBuf,
}

fn read_file(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} {}: {e}", path.display())))
}

pub fn rubric(g: &Global, args: RubricArgs) -> Result<u8, Failure> {
    let text = read_file(&args.answers, "answers file")?;
    let result = rubric::evaluate_json(&text)
        .map_err(|e| Failure::usage(format!("answers file {}: {e}", args.answers.display())))?;
    let scores = result.cvss().scores();
    if g.json {
        #[derive(Serialize)]
        struct RubricReport<'a> {
            file: String,
            vector: &'a str,
            scores: &'a Scores,
            exploitability_subscore: f64,
            metrics: &'a postmarket_cvss::V3Base,
            record: &'a rubric::AnswerRecord,
            answers: &'a rubric::Answers,
        }
        output::json(&RubricReport {
            file: args.answers.display().to_string(),
            vector: &result.vector,
            scores: &scores,
            exploitability_subscore: result.exploitability_subscore,
            metrics: &result.metrics,
            record: &result.record,
            answers: &result.answers,
        })?;
        return Ok(0);
    }
    println!("{}", result.vector);
    println!(
        "  base {:.1} ({}), impact {:.1}, exploitability {:.1} (unrounded {:.3})",
        scores.base,
        scores.severity,
        scores.impact.unwrap_or_default(),
        scores.exploitability.unwrap_or_default(),
        result.exploitability_subscore
    );
    let r = &result.record;
    let mut t = Table::new(&["METRIC", "VALUE", "SET BY"]);
    let path_row = |name: &str, value: String, path: &[Step], info: &[Step]| {
        let mut text = steps(path);
        if !info.is_empty() {
            text.push_str(&format!(" (recorded, not decisive: {})", steps(info)));
        }
        vec![name.to_string(), value, text]
    };
    t.row(path_row(
        "AV",
        r.av.value.to_string(),
        &r.av.path,
        &r.av.informational,
    ));
    t.row(path_row(
        "AC",
        r.ac.value.to_string(),
        &r.ac.path,
        &r.ac.informational,
    ));
    t.row(path_row(
        "PR",
        r.pr.value.to_string(),
        &r.pr.path,
        &r.pr.informational,
    ));
    t.row(path_row(
        "UI",
        r.ui.value.to_string(),
        &r.ui.path,
        &r.ui.informational,
    ));
    t.row(path_row(
        "S",
        r.s.value.to_string(),
        &r.s.path,
        &r.s.informational,
    ));
    for (name, d) in [("C", &r.c), ("I", &r.i), ("A", &r.a)] {
        t.row(vec![name.to_string(), d.value.to_string(), impact_text(d)]);
    }
    t.print();
    if !r.not_on_path.is_empty() {
        println!(
            "answered but not on any decision path: {}",
            r.not_on_path.join(", ")
        );
    }
    Ok(0)
}

fn steps(path: &[Step]) -> String {
    path.iter()
        .map(|s| {
            if s.answered {
                format!("{}={}", s.question, s.answer)
            } else {
                format!("{}=unknown (not answered)", s.question)
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn category_name(c: Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn impact_text(d: &ImpactDerivation) -> String {
    let set_by: Vec<String> = d.set_by.iter().map(|c| category_name(*c)).collect();
    let cats: Vec<String> = d
        .categories
        .iter()
        .map(|c| {
            format!(
                "{} {} ({})",
                category_name(c.category),
                c.value,
                steps(&c.path)
            )
        })
        .collect();
    format!(
        "maximum over the six categories, set by {}: {}",
        set_by.join(", "),
        cats.join("; ")
    )
}

// ---- postmarket assess ----------------------------------------------------------------------

/// The approver recorded for the built-in default matrix (DESIGN.md §4).
pub const BUILT_IN_APPROVER: &str = "postmarket (built-in default)";
/// When the built-in default entered the code base; fixed so the output is reproducible.
const BUILT_IN_APPROVED_AT: OffsetDateTime = time::macros::datetime!(2026-11-25 00:00 UTC);

const ASSESS_NOTES: &str = "\
Stateless: nothing is stored. Exploitability comes either from --exploitability (an analyst's
estimate, recorded as an override of the policy) or from --cvss through the exploitability
policy: the CVSS 3.x exploitability sub-score bands, raised by --kev, by the vector's exploit
maturity (E) and by --epss at or above the policy's threshold. A 2.0 or 4.0 vector has no v3.x
sub-score, so the policy takes the reasonable worst case (high) before those rules.

The matrix is the built-in DESIGN.md §4 default (approved in code as \"postmarket (built-in
default)\") or --matrix FILE.json, which must carry a valid approval (who, when, the version
and cell layout approved); an unapproved or since-edited matrix is refused (exit 2).
--policy FILE.json replaces the default exploitability policy
({\"version\", \"high_at\", \"medium_at\", \"epss_threshold\", \"epss_raise\"}).

An R cell needs --decision controlled|uncontrolled with --rationale. Without them the command
still prints everything else, says that a decision is required, and exits 0 (in --json, \"risk\"
is null and \"decision_required\" is true): it is a question for the analyst, not an error.
A --decision that contradicts a C or U cell is refused (exit 2): change the exploitability or the
matrix instead.

SSVC (supplier tree): each decision point is taken from its flag when given, otherwise derived
and labelled: exploitation active on KEV or CVSS 4.0 E:A, public-poc on a CVSS exploit maturity
of P/F/H, else none; automatable yes when the vector is AV:N/AC:L/PR:N/UI:N (4.0: also AT:N);
technical impact total when C, I and A (4.0: VC, VI, VA) are all High; and the reasonable worst
case (automatable yes, value density concentrated, technical impact total) when nothing says
otherwise. Public safety impact comes from the harm level.

Reporting (21 CFR 806) needs case facts (notices, ISAO, fix dates) that a stateless run does not
have; the line shown assumes none of them.";

#[derive(Debug, Args)]
#[command(
    after_long_help = ASSESS_NOTES,
    group(ArgGroup::new("exploitability-source").required(true).args(["exploitability", "cvss"]))
)]
pub struct AssessArgs {
    /// Exploitability as the analyst estimates it: high, medium or low
    #[arg(long, value_name = "LEVEL")]
    exploitability: Option<ExploitabilityLevel>,
    /// A CVSS vector; exploitability comes from it through the policy
    #[arg(long, value_name = "VECTOR")]
    cvss: Option<String>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalog (with --cvss)
    #[arg(long, requires = "cvss")]
    kev: bool,
    /// FIRST EPSS probability, 0 to 1 (with --cvss)
    #[arg(
        long,
        value_name = "X",
        requires = "cvss",
        allow_negative_numbers = true
    )]
    epss: Option<f64>,
    /// Severity of patient harm (ISO 14971): negligible, minor, serious, critical, catastrophic
    #[arg(long, value_name = "LEVEL")]
    harm: HarmSeverity,
    /// The impact is on confidentiality (PHI) only: not patient harm
    #[arg(long)]
    confidentiality_only: bool,
    /// The analyst's decision for an R cell: controlled or uncontrolled (needs --rationale)
    #[arg(long, value_name = "RISK", requires = "rationale")]
    decision: Option<Risk>,
    /// Why (recorded with the decision)
    #[arg(long, value_name = "TEXT")]
    rationale: Option<String>,
    /// A manufacturer's risk matrix (JSON, approved) instead of the built-in default
    #[arg(long, value_name = "FILE.json")]
    matrix: Option<PathBuf>,
    /// An exploitability policy (JSON) instead of the default
    #[arg(long, value_name = "FILE.json")]
    policy: Option<PathBuf>,
    /// SSVC exploitation: none, public-poc or active [default: derived]
    #[arg(long, value_name = "VALUE")]
    ssvc_exploitation: Option<Exploitation>,
    /// SSVC automatable: yes or no [default: derived]
    #[arg(long, value_name = "VALUE")]
    automatable: Option<Automatable>,
    /// SSVC value density: diffuse or concentrated [default: concentrated]
    #[arg(long, value_name = "VALUE")]
    value_density: Option<ValueDensity>,
    /// SSVC technical impact: partial or total [default: derived]
    #[arg(long, value_name = "VALUE")]
    technical_impact: Option<TechnicalImpact>,
}

fn risk_failure(context: &str) -> impl Fn(RiskError) -> Failure + '_ {
    move |e| Failure::usage(format!("{context}{e}"))
}

/// The matrix in force and where it came from.
struct MatrixInForce {
    matrix: ApprovedMatrix,
    source: String,
}

fn load_matrix(path: Option<&Path>) -> Result<MatrixInForce, Failure> {
    match path {
        None => {
            let matrix = RiskMatrix::fda_default()
                .approve(BUILT_IN_APPROVER, BUILT_IN_APPROVED_AT)
                .map_err(risk_failure("built-in matrix: "))?;
            Ok(MatrixInForce {
                matrix,
                source: "built-in default (DESIGN.md §4)".into(),
            })
        }
        Some(p) => {
            let text = read_file(p, "matrix file")?;
            let context = format!("matrix file {}: ", p.display());
            let matrix = RiskMatrix::from_json(&text)
                .and_then(|m| m.approved())
                .map_err(risk_failure(&context))?;
            Ok(MatrixInForce {
                matrix,
                source: p.display().to_string(),
            })
        }
    }
}

fn load_policy(path: Option<&Path>) -> Result<ExploitabilityPolicy, Failure> {
    let Some(p) = path else {
        return Ok(ExploitabilityPolicy::default());
    };
    let text = read_file(p, "policy file")?;
    let policy: ExploitabilityPolicy = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("policy file {}: {e}", p.display())))?;
    policy
        .validate()
        .map_err(|e| Failure::usage(format!("policy file {}: {e}", p.display())))?;
    Ok(policy)
}

#[derive(Serialize)]
struct MatrixReport<'a> {
    version: u32,
    source: &'a str,
    approval: &'a postmarket_risk::Approval,
}

/// What `assess --json` prints. `risk` is null, and `decision_required` true, for an R cell
/// without `--decision`; `decision`, `remediation` and `reporting` are then null too.
#[derive(Serialize)]
struct AssessReport<'a> {
    risk: Option<Risk>,
    current_risk: Option<Risk>,
    decision_required: bool,
    exploitability: &'a ExploitabilityAssessment,
    harm: &'a HarmAssessment,
    cell: MatrixCell,
    matrix: MatrixReport<'a>,
    policy_version: u32,
    cvss: Option<Scores>,
    ssvc: SsvcDecision,
    ssvc_inputs: &'a SsvcInputs,
    remediation: Option<&'a RemediationSuggestion>,
    decision: Option<&'a RiskDecision>,
    reporting: Option<&'a ReportingDetermination>,
    reasoning: Vec<String>,
}

const CLI_RATIONALE: &str = "stateless assessment from the command line (postmarket assess)";

pub fn assess_cmd(g: &Global, args: AssessArgs) -> Result<u8, Failure> {
    // Checked here so the message names the flag; the policy would refuse it too.
    if let Some(p) = args.epss {
        if !p.is_finite() || !(0.0..=1.0).contains(&p) {
            return Err(Failure::usage(format!(
                "--epss {p} is out of range: EPSS is a probability in [0, 1], not a percentile or a percentage"
            )));
        }
    }
    let matrix = load_matrix(args.matrix.as_deref())?;
    let policy = load_policy(args.policy.as_deref())?;

    let vector = match &args.cvss {
        Some(text) => {
            Some(parse_vector(text).map_err(|e| Failure::usage(format!("--cvss {text:?}: {e}")))?)
        }
        None => None,
    };
    let m = vector.as_ref().map(maturity).unwrap_or_default();
    let exploitability = match (&vector, args.exploitability) {
        (_, Some(level)) => ExploitabilityInput {
            signals: ExploitabilitySignals::default(),
            // A stated level is the analyst's estimate: the policy records it as an override.
            analyst_override: Some(AnalystOverride {
                level,
                rationale: format!("the analyst's estimate, given with --exploitability {level}"),
            }),
        },
        (v, None) => ExploitabilityInput {
            signals: ExploitabilitySignals {
                // Only 3.x has the sub-score the policy's bands are for (DESIGN.md §4).
                subscore: v
                    .as_ref()
                    .and_then(|v| v.as_v3())
                    .map(|v| v.exploitability_subscore_raw()),
                kev: args.kev,
                epss: args.epss,
                exploit_maturity: m,
            },
            analyst_override: None,
        },
    };
    let given = SsvcGiven {
        ssvc_exploitation: args.ssvc_exploitation,
        automatable: args.automatable,
        value_density: args.value_density,
        technical_impact: args.technical_impact,
        kev: args.kev,
    };
    let ssvc_inputs = ssvc_inputs(&given, vector.as_ref(), m);
    let input = AssessInput {
        exploitability,
        harm: args.harm,
        confidentiality_only: args.confidentiality_only,
        analyst_decision: args.decision.map(|risk| AnalystChoice {
            risk,
            rationale: args.rationale.clone().unwrap_or_default(),
        }),
        compensating_controls: Vec::new(),
        rationale: args
            .rationale
            .clone()
            .unwrap_or_else(|| CLI_RATIONALE.to_string()),
        ssvc: Some(ssvc_inputs.input()),
        reporting: Default::default(),
        residual: None,
    };
    let settings = Settings {
        policy: policy.clone(),
        matrix: matrix.matrix.matrix().clone(),
        safety_mapping: Default::default(),
    };
    let cvss_scores = vector.as_ref().map(report_scores);
    let matrix_report = MatrixReport {
        version: matrix.matrix.version(),
        source: &matrix.source,
        approval: matrix.matrix.approval(),
    };

    match assess(&input, &settings) {
        Ok(a) => {
            let report = AssessReport {
                risk: Some(a.risk),
                current_risk: Some(a.current_risk),
                decision_required: false,
                exploitability: &a.exploitability,
                harm: &a.harm,
                cell: a.decision.cell,
                matrix: matrix_report,
                policy_version: a.policy_version,
                cvss: cvss_scores,
                ssvc: ssvc_of(&a),
                ssvc_inputs: &ssvc_inputs,
                remediation: Some(&a.remediation),
                decision: Some(&a.decision),
                reporting: Some(&a.reporting),
                reasoning: a.reasoning.clone(),
            };
            print_assessment(g, &report)
        }
        Err(RiskError::AnalystDecisionRequired { .. }) => {
            // The process stops at the R cell; show everything that does not depend on the
            // analyst's choice, and what each choice would mean for remediation.
            let e = policy
                .assess(&input.exploitability)
                .map_err(risk_failure(""))?;
            let h = HarmAssessment::new(args.harm, args.confidentiality_only)
                .map_err(risk_failure(""))?;
            let cell = matrix.matrix.lookup(e.level, h.severity);
            let ssvc = supplier_decision(&ssvc_inputs.input(), args.harm, &settings.safety_mapping);
            let if_controlled = suggest(Risk::Controlled, Some(ssvc.priority));
            let reasoning = vec![
                exploitability_line(&e),
                format!("harm {}: {}", h.severity, h.definition),
                format!(
                    "matrix v{} cell {} × {} = {}: the analyst must choose controlled or uncontrolled and justify it (--decision … --rationale …)",
                    matrix.matrix.version(),
                    cell.exploitability,
                    cell.severity,
                    cell.value
                ),
                ssvc_line(&ssvc),
                format!(
                    "remediation if uncontrolled: out-of-cycle; if controlled: {} ({})",
                    cycle_name(&if_controlled),
                    if_controlled.reason
                ),
            ];
            let report = AssessReport {
                risk: None,
                current_risk: None,
                decision_required: true,
                exploitability: &e,
                harm: &h,
                cell,
                matrix: matrix_report,
                policy_version: e.policy_version,
                cvss: cvss_scores,
                ssvc,
                ssvc_inputs: &ssvc_inputs,
                remediation: None,
                decision: None,
                reporting: None,
                reasoning,
            };
            print_assessment(g, &report)
        }
        Err(e) => Err(risk_failure("")(e)),
    }
}

fn ssvc_of(a: &Assessment) -> SsvcDecision {
    // assess() runs SSVC whenever inputs are given, and the CLI always gives them.
    a.ssvc
        .unwrap_or_else(|| unreachable!("SSVC inputs were given"))
}

fn rule_text(r: &postmarket_risk::exploitability::RuleFired) -> String {
    let what = match &r.rule {
        Rule::SubscoreBand {
            subscore,
            high_at,
            medium_at,
        } => format!(
            "CVSS exploitability sub-score {subscore:.3} (high ≥ {high_at}, medium ≥ {medium_at})"
        ),
        Rule::WorstCaseNoSubscore => {
            "no CVSS 3.x sub-score: reasonable worst case (FDA 2016 §VI.A)".to_string()
        }
        Rule::Kev => "CISA KEV listing".to_string(),
        Rule::ExploitMaturity { maturity } => format!("exploit maturity {maturity}"),
        Rule::Epss {
            epss, threshold, ..
        } => format!("EPSS {epss} ≥ {threshold}"),
        Rule::AnalystOverride { rationale } => format!("analyst: {rationale}"),
    };
    format!("{what} → {}", r.to)
}

fn exploitability_line(e: &ExploitabilityAssessment) -> String {
    let rules: Vec<String> = e.rules.iter().map(rule_text).collect();
    format!(
        "exploitability {} (policy v{}: {})",
        e.level,
        e.policy_version,
        rules.join("; ")
    )
}

fn ssvc_line(s: &SsvcDecision) -> String {
    format!(
        "SSVC supplier: exploitation {}, utility {} (automatable {}, value density {}), technical impact {}, public safety impact {} (harm {} → safety impact {}) → {}",
        s.exploitation,
        s.utility,
        s.automatable,
        s.value_density,
        s.technical_impact,
        s.public_safety_impact,
        s.harm,
        s.safety_impact,
        s.priority
    )
}

fn cycle_name(r: &RemediationSuggestion) -> String {
    serde_json::to_value(r.cycle)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn print_assessment(g: &Global, r: &AssessReport<'_>) -> Result<u8, Failure> {
    if g.json {
        output::json(r)?;
        return Ok(0);
    }
    if let Some(s) = &r.cvss {
        println!(
            "cvss            {} (base {:.1}, {}; exploitability sub-score {})",
            s.vector,
            s.base,
            s.severity,
            opt(s.exploitability)
        );
    }
    let e = r.exploitability;
    let rules: Vec<String> = e.rules.iter().map(rule_text).collect();
    println!("exploitability  {} ({})", e.level, rules.join("; "));
    println!(
        "harm            {}{}",
        r.harm.severity,
        if r.harm.confidentiality_only {
            " (confidentiality only: not patient harm)"
        } else {
            ""
        }
    );
    let at = r
        .matrix
        .approval
        .at
        .format(&Rfc3339)
        .unwrap_or_else(|_| r.matrix.approval.at.to_string());
    println!(
        "matrix          v{}, {}, approved by {} at {}: cell {} × {} = {}",
        r.matrix.version,
        r.matrix.source,
        r.matrix.approval.by,
        at,
        r.cell.exploitability,
        r.cell.severity,
        r.cell.value
    );
    match (r.risk, r.decision) {
        (Some(risk), Some(d)) => {
            let how = match d.basis {
                postmarket_risk::DecisionBasis::MatrixCell => "matrix cell".to_string(),
                postmarket_risk::DecisionBasis::AnalystChoiceOnRCell => format!(
                    "analyst's decision on the R cell: {}",
                    d.analyst_choice
                        .as_ref()
                        .map(|c| c.rationale.as_str())
                        .unwrap_or_default()
                ),
                postmarket_risk::DecisionBasis::ConfidentialityOnly => {
                    "confidentiality only: routine update".to_string()
                }
            };
            println!("risk            {} ({how})", risk.as_str().to_uppercase());
        }
        _ => {
            debug_assert_eq!(r.cell.value, CellValue::AnalystChoice);
            println!(
                "risk            DECISION REQUIRED: cell {} × {} is R; give --decision controlled|uncontrolled --rationale TEXT",
                r.cell.exploitability, r.cell.severity
            );
        }
    }
    println!(
        "ssvc            {} (exploitation {} [{}], automatable {} [{}], value density {} [{}], technical impact {} [{}], public safety {})",
        r.ssvc.priority,
        r.ssvc.exploitation,
        r.ssvc_inputs.exploitation.from,
        r.ssvc.automatable,
        r.ssvc_inputs.automatable.from,
        r.ssvc.value_density,
        r.ssvc_inputs.value_density.from,
        r.ssvc.technical_impact,
        r.ssvc_inputs.technical_impact.from,
        r.ssvc.public_safety_impact
    );
    if let Some(rem) = r.remediation {
        println!("remediation     {}: {}", cycle_name(rem), rem.reason);
    }
    println!("reasoning");
    for line in &r.reasoning {
        println!("  - {line}");
    }
    if r.reporting.is_some() {
        println!("  (21 CFR 806 above assumes no case facts: notices, ISAO sharing and fix dates are recorded on a case)");
    }
    Ok(0)
}
