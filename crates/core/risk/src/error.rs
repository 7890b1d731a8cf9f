//! The crate's one error type.
//!
//! Every variant carries the offending input, so a message can name what was
//! wrong without the caller adding context. Messages are lowercase, have no
//! trailing period, and where it helps they say how to fix the input.

/// Everything this crate refuses, with the input that was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- MITRE rubric -------------------------------------------------
    /// A rubric answer names a question id the rubric does not have.
    #[error("unknown rubric question '{id}' (known ids: {known})")]
    UnknownQuestion {
        /// The id as given.
        id: String,
        /// The ids the rubric has, comma-separated.
        known: String,
    },
    /// A rubric answer is not one of the values its question allows.
    #[error(
        "invalid answer '{answer}' to rubric question {question} (expected one of: {expected})"
    )]
    InvalidAnswer {
        /// The question id.
        question: String,
        /// The answer as given.
        answer: String,
        /// The allowed answers, comma-separated.
        expected: String,
    },
    /// The same rubric question is answered twice.
    #[error("rubric question {question} is answered more than once")]
    DuplicateAnswer {
        /// The question id.
        question: String,
    },
    /// The answers document is not the expected JSON object of strings.
    #[error("malformed rubric answers: {message}")]
    MalformedAnswers {
        /// What the JSON parser or the shape check said.
        message: String,
    },

    // ---- harm ---------------------------------------------------------
    /// A harm-severity name is not one of the five ISO 14971 levels.
    #[error("unknown harm severity '{value}' (expected one of: negligible, minor, serious, critical, catastrophic)")]
    UnknownHarmLevel {
        /// The value as given.
        value: String,
    },
    /// A confidentiality-only impact was given together with patient harm
    /// above negligible; the two contradict each other.
    #[error("confidentiality-only impact is not patient harm, but harm severity '{harm}' was given; set harm to negligible or clear confidentiality-only")]
    ConflictingHarm {
        /// The harm level that was given.
        harm: String,
    },

    // ---- exploitability -----------------------------------------------
    /// An exploitability level name is not high, medium or low.
    #[error("unknown exploitability level '{value}' (expected one of: high, medium, low)")]
    UnknownExploitabilityLevel {
        /// The value as given.
        value: String,
    },
    /// A number given to the exploitability policy is out of its range.
    #[error("{what} {value} is out of range ({range})")]
    OutOfRange {
        /// Which number.
        what: &'static str,
        /// The value as given.
        value: f64,
        /// The accepted range and, where useful, a hint.
        range: &'static str,
    },
    /// The exploitability policy itself is inconsistent.
    #[error("invalid exploitability policy version {version}: {reason}")]
    InvalidPolicy {
        /// The policy version.
        version: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// An exploit-maturity value is not known.
    #[error("unknown exploit maturity '{value}' (expected E:X, E:U, E:P, E:F or E:H for CVSS v3, or E:X, E:U, E:P or E:A for CVSS v4)")]
    UnknownExploitMaturity {
        /// The value as given.
        value: String,
    },

    // ---- rationale ----------------------------------------------------
    /// A decision, an override or a re-assessment needs a written rationale
    /// and none (or only whitespace) was given.
    #[error("{what} requires a non-empty rationale")]
    MissingRationale {
        /// What needed the rationale.
        what: String,
    },

    // ---- matrix -------------------------------------------------------
    /// A risk matrix lacks one of its fifteen cells.
    #[error("risk matrix version {version} has no cell for exploitability '{row}' × severity '{column}'")]
    MatrixMissingCell {
        /// Matrix version.
        version: u32,
        /// Exploitability row.
        row: String,
        /// Severity column.
        column: String,
    },
    /// A risk-matrix cell holds something other than C, U or R.
    #[error("risk matrix version {version}, cell exploitability '{row}' × severity '{column}': unknown value '{value}' (expected C, U or R)")]
    MatrixUnknownValue {
        /// Matrix version.
        version: u32,
        /// Exploitability row.
        row: String,
        /// Severity column.
        column: String,
        /// The value as given.
        value: String,
    },
    /// A risk matrix has a row that is not an exploitability level.
    #[error("risk matrix version {version}: unknown exploitability row '{row}' (expected high, medium, low)")]
    MatrixUnknownRow {
        /// Matrix version.
        version: u32,
        /// The row as given.
        row: String,
    },
    /// A risk matrix has a column that is not a harm severity.
    #[error("risk matrix version {version}, row '{row}': unknown severity column '{column}' (expected negligible, minor, serious, critical, catastrophic)")]
    MatrixUnknownColumn {
        /// Matrix version.
        version: u32,
        /// Row holding the column.
        row: String,
        /// The column as given.
        column: String,
    },
    /// The matrix document is not valid JSON of the expected shape.
    #[error("malformed risk matrix: {message}")]
    MalformedMatrix {
        /// What the parser said.
        message: String,
    },
    /// A matrix without a valid approval was offered for a decision.
    #[error("risk matrix version {version} is not approved for use in decisions: {reason}")]
    UnapprovedMatrix {
        /// Matrix version.
        version: u32,
        /// Why the approval does not hold.
        reason: String,
    },
    /// An approval was attempted without naming the approver.
    #[error("a risk matrix approval must name the approver")]
    MissingApprover,

    // ---- decision -----------------------------------------------------
    /// The matrix cell is R and the analyst has not chosen.
    #[error("matrix cell exploitability '{row}' × severity '{column}' is R: the analyst must choose controlled or uncontrolled and give a rationale")]
    AnalystDecisionRequired {
        /// Exploitability row.
        row: String,
        /// Severity column.
        column: String,
    },
    /// The analyst chose against a cell the approved matrix decides.
    #[error("analyst chose '{chosen}' but the approved matrix decides '{decided}' ({basis}); change the exploitability (override with a rationale) or the matrix instead")]
    AnalystDecisionConflicts {
        /// The analyst's choice.
        chosen: String,
        /// What the process decides.
        decided: String,
        /// Where that came from.
        basis: String,
    },
    /// A residual-risk re-assessment was recorded on a risk that was not
    /// uncontrolled, or without the interim controls it rests on.
    #[error("invalid residual-risk re-assessment: {reason}")]
    InvalidResidual {
        /// What is wrong.
        reason: String,
    },

    // ---- SSVC ---------------------------------------------------------
    /// An SSVC decision-point value is not known.
    #[error("unknown SSVC {decision_point} value '{value}' (expected one of: {expected})")]
    UnknownSsvcValue {
        /// Decision point name.
        decision_point: &'static str,
        /// The value as given.
        value: String,
        /// The allowed values.
        expected: &'static str,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Refuses an empty or whitespace-only rationale.
pub(crate) fn require_rationale(text: &str, what: impl Into<String>) -> Result<()> {
    if text.trim().is_empty() {
        Err(Error::MissingRationale { what: what.into() })
    } else {
        Ok(())
    }
}
