//! The rubric's questionnaire as data.
//!
//! Ids, numbering and the AV/AC/PR/UI/S question texts follow the MITRE
//! *Rubric for Applying CVSS to Medical Devices* (FDA MDDT, qualified
//! 20 Oct 2020) as its MedSec calculator presents them; see
//! `fda/requirements.md` §B3 in the shared folder. The C/I/A questions are
//! one question per category and metric; their texts are built from the
//! category headings and the three question stems the rubric uses ("can this
//! data or functionality be read/exposed", "… modified/deleted", "… rendered
//! inaccessible"), not quoted word for word.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The CVSS base metric a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum RubricMetric {
    /// Attack Vector.
    AV,
    /// Attack Complexity.
    AC,
    /// Privileges Required.
    PR,
    /// User Interaction.
    UI,
    /// Scope.
    S,
    /// Confidentiality.
    C,
    /// Integrity.
    I,
    /// Availability.
    A,
}

/// The rubric's six data/functionality categories for C, I and A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// (1) PHI/PII data.
    Phi,
    /// (2) Data or functionality related to diagnosis or monitoring.
    DiagnosisOrMonitoring,
    /// (3) Data or functionality related to the delivery of therapy.
    Therapy,
    /// (4) Data or functionality related to clinical workflow.
    ClinicalWorkflow,
    /// (5) Private system or system-user data, e.g. passwords or private keys.
    SystemData,
    /// (6) Any other kind of critical, sensitive data or functionality.
    Other,
}

impl Category {
    /// All six, in the rubric's order.
    pub const ALL: [Category; 6] = [
        Category::Phi,
        Category::DiagnosisOrMonitoring,
        Category::Therapy,
        Category::ClinicalWorkflow,
        Category::SystemData,
        Category::Other,
    ];

    /// The letter used in the answer ids (XC**P**, XI**T**, …).
    pub fn code(self) -> char {
        match self {
            Category::Phi => 'P',
            Category::DiagnosisOrMonitoring => 'D',
            Category::Therapy => 'T',
            Category::ClinicalWorkflow => 'W',
            Category::SystemData => 'S',
            Category::Other => 'O',
        }
    }

    /// The rubric's heading for the category.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Phi => "For any PHI/PII data",
            Category::DiagnosisOrMonitoring => {
                "For any data or functionality related to diagnosis or monitoring"
            }
            Category::Therapy => "For any data or functionality related to the delivery of therapy",
            Category::ClinicalWorkflow => {
                "For any data or functionality related to clinical workflow"
            }
            Category::SystemData => {
                "For any data or functionality related to private system or system-user data, e.g. passwords or private keys"
            }
            Category::Other => "For any other kind of critical, sensitive data or functionality",
        }
    }
}

/// An answer to a rubric question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// YES.
    Yes,
    /// NO.
    No,
    /// HIGH (C/I/A questions).
    High,
    /// LOW (C/I/A questions).
    Low,
    /// NONE (C/I/A questions).
    None,
    /// UNKNOWN: always resolves to the worse (higher-scoring) value.
    Unknown,
}

impl Answer {
    /// The lowercase name used in the JSON answers format.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::High => "high",
            Answer::Low => "low",
            Answer::None => "none",
            Answer::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which answers a question accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerKind {
    /// yes / no / unknown.
    YesNo,
    /// high / low / none / unknown.
    Impact,
}

impl AnswerKind {
    /// The accepted answers.
    pub fn allowed(self) -> &'static [Answer] {
        match self {
            AnswerKind::YesNo => &[Answer::Yes, Answer::No, Answer::Unknown],
            AnswerKind::Impact => &[Answer::High, Answer::Low, Answer::None, Answer::Unknown],
        }
    }

    /// The accepted answers as a comma-separated list, for messages.
    pub fn allowed_list(self) -> String {
        self.allowed()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One rubric question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Stable answer id, e.g. `XAVN`.
    pub id: &'static str,
    /// The rubric's numbering within its metric, e.g. `Q5.1` or `Q3.I`.
    pub number: &'static str,
    /// The base metric the question decides.
    pub metric: RubricMetric,
    /// For C/I/A questions, the data/functionality category.
    pub category: Option<Category>,
    /// The question text.
    pub text: &'static str,
    /// Which answers it accepts.
    pub kind: AnswerKind,
}

impl Question {
    /// The answers this question accepts, UNKNOWN included.
    pub fn allowed_answers(&self) -> &'static [Answer] {
        self.kind.allowed()
    }
}

const fn yes_no(
    id: &'static str,
    number: &'static str,
    metric: RubricMetric,
    text: &'static str,
) -> Question {
    Question {
        id,
        number,
        metric,
        category: None,
        text,
        kind: AnswerKind::YesNo,
    }
}

const fn cia(
    id: &'static str,
    number: &'static str,
    metric: RubricMetric,
    category: Category,
    kind: AnswerKind,
    text: &'static str,
) -> Question {
    Question {
        id,
        number,
        metric,
        category: Some(category),
        text,
        kind,
    }
}

use AnswerKind::{Impact as Imp, YesNo};
use Category::*;
use RubricMetric::{A, C, I};

/// Every question of the rubric, in questionnaire order (31 in all).
#[rustfmt::skip]
pub const QUESTIONS: &[Question] = &[
    // ---- Attack Vector -------------------------------------------------
    yes_no("XAVN", "Q1", RubricMetric::AV,
        "Can the attacker utilize some type of network or communication protocol to exploit this vulnerability?"),
    yes_no("XAVT", "Q2", RubricMetric::AV,
        "Does the network use OSI layer 3 or 4 protocols, e.g. IP, TCP/IP, or UDP?"),
    yes_no("XAVW", "Q3", RubricMetric::AV,
        "Is the communication over a wireless channel?"),
    yes_no("XAVR", "Q4", RubricMetric::AV,
        "Is the range approximately 10 feet or less?"),
    yes_no("XAVP", "Q5", RubricMetric::AV,
        "Must the attacker have physical contact with the device?"),
    yes_no("XAVPA", "Q5.1", RubricMetric::AV,
        "Is the device accessed through a 'human-user interface,' i.e. a user interface intended for manual operation by device users?"),
    // ---- Attack Complexity ----------------------------------------------
    yes_no("XACL", "Q1", RubricMetric::AC,
        "Can the attacker attempt to exploit the vulnerability at will, i.e., without requiring any special circumstances, configurations, or use of other vulnerabilities or attacks before attacking this vulnerability?"),
    // ---- Privileges Required --------------------------------------------
    yes_no("XPRL", "Q1", RubricMetric::PR,
        "Does the device/component use an authorization model that supports login for multiple different users or roles with different privilege levels?"),
    yes_no("XPRZ", "Q2", RubricMetric::PR,
        "Before attempting to exploit the vulnerability, must the attacker be authorized to the affected component?"),
    yes_no("XPRS", "Q3", RubricMetric::PR,
        "Must the attacker have administrator, maintainer, or other system-level privileges to attempt to exploit the vulnerability?"),
    // ---- User Interaction -----------------------------------------------
    yes_no("XUI", "Q1", RubricMetric::UI,
        "To successfully exploit the vulnerability, must the attacker depend on another user or victim to perform an action or otherwise interact with the system?"),
    // ---- Scope ----------------------------------------------------------
    yes_no("XS", "Q1", RubricMetric::S,
        "Can the attacker affect a component whose authority ('authorization scope') is different than that of the vulnerable component?"),
    // ---- C/I/A, category 1: PHI/PII --------------------------------------
    cia("XCP", "Q1.C", C, Phi, YesNo,
        "For any PHI/PII data: can this data be read or exposed?"),
    cia("XCPM", "Q1.1.C", C, Phi, YesNo,
        "Can the exposed data cover a large number of patients, e.g. 500 or more, which may force regulatory action or data breach notification (e.g. HIPAA, GDPR)?"),
    cia("XIP", "Q1.I", I, Phi, Imp,
        "For any PHI/PII data: can this data be modified or deleted?"),
    cia("XAP", "Q1.A", A, Phi, Imp,
        "For any PHI/PII data: can this data be rendered inaccessible?"),
    // ---- category 2: diagnosis or monitoring ----------------------------
    cia("XCD", "Q2.C", C, DiagnosisOrMonitoring, Imp,
        "For any data or functionality related to diagnosis or monitoring: can it be read or exposed?"),
    cia("XID", "Q2.I", I, DiagnosisOrMonitoring, Imp,
        "For any data or functionality related to diagnosis or monitoring: can it be modified or deleted?"),
    cia("XAD", "Q2.A", A, DiagnosisOrMonitoring, Imp,
        "For any data or functionality related to diagnosis or monitoring: can it be rendered inaccessible?"),
    // ---- category 3: delivery of therapy --------------------------------
    cia("XCT", "Q3.C", C, Therapy, Imp,
        "For any data or functionality related to the delivery of therapy: can it be read or exposed?"),
    cia("XIT", "Q3.I", I, Therapy, Imp,
        "For any data or functionality related to the delivery of therapy: can it be modified or deleted?"),
    cia("XAT", "Q3.A", A, Therapy, Imp,
        "For any data or functionality related to the delivery of therapy: can it be rendered inaccessible?"),
    // ---- category 4: clinical workflow ----------------------------------
    cia("XCW", "Q4.C", C, ClinicalWorkflow, Imp,
        "For any data or functionality related to clinical workflow: can it be read or exposed?"),
    cia("XIW", "Q4.I", I, ClinicalWorkflow, Imp,
        "For any data or functionality related to clinical workflow: can it be modified or deleted?"),
    cia("XAW", "Q4.A", A, ClinicalWorkflow, Imp,
        "For any data or functionality related to clinical workflow: can it be rendered inaccessible?"),
    // ---- category 5: private system or system-user data -----------------
    cia("XCS", "Q5.C", C, SystemData, Imp,
        "For any private system or system-user data, e.g. passwords or private keys: can it be read or exposed?"),
    cia("XIS", "Q5.I", I, SystemData, Imp,
        "For any private system or system-user data, e.g. passwords or private keys: can it be modified or deleted?"),
    cia("XAS", "Q5.A", A, SystemData, Imp,
        "For any private system or system-user data, e.g. passwords or private keys: can it be rendered inaccessible?"),
    // ---- category 6: other critical or sensitive data/functionality -----
    cia("XCO", "Q6.C", C, Other, Imp,
        "For any other kind of critical, sensitive data or functionality: can it be read or exposed?"),
    cia("XIO", "Q6.I", I, Other, Imp,
        "For any other kind of critical, sensitive data or functionality: can it be modified or deleted?"),
    cia("XAO", "Q6.A", A, Other, Imp,
        "For any other kind of critical, sensitive data or functionality: can it be rendered inaccessible?"),
];

/// Looks a question up by id, ignoring ASCII case.
pub fn question(id: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.id.eq_ignore_ascii_case(id))
}

/// The answer id for a C/I/A metric and category, e.g. (I, Therapy) → `XIT`.
pub(crate) fn cia_question(metric: RubricMetric, category: Category) -> &'static Question {
    QUESTIONS
        .iter()
        .find(|q| q.metric == metric && q.category == Some(category) && q.id != "XCPM")
        .unwrap_or_else(|| panic!("rubric table lacks {metric:?}/{category:?}"))
}

/// All question ids, comma-separated, for messages.
pub(crate) fn known_ids() -> String {
    QUESTIONS
        .iter()
        .map(|q| q.id)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_and_there_are_31() {
        let ids: BTreeSet<_> = QUESTIONS.iter().map(|q| q.id).collect();
        assert_eq!(ids.len(), QUESTIONS.len());
        assert_eq!(QUESTIONS.len(), 31);
    }

    #[test]
    fn every_cia_id_is_x_metric_category() {
        for q in QUESTIONS.iter().filter(|q| q.id != "XCPM") {
            if let Some(cat) = q.category {
                let expected = format!("X{:?}{}", q.metric, cat.code());
                assert_eq!(q.id, expected);
            }
        }
        for metric in [C, I, A] {
            for cat in Category::ALL {
                assert_eq!(cia_question(metric, cat).category, Some(cat));
            }
        }
    }

    #[test]
    fn only_xcp_and_xcpm_are_yes_no_among_cia() {
        let yes_no: Vec<_> = QUESTIONS
            .iter()
            .filter(|q| q.category.is_some() && q.kind == AnswerKind::YesNo)
            .map(|q| q.id)
            .collect();
        assert_eq!(yes_no, ["XCP", "XCPM"]);
    }

    #[test]
    fn every_question_has_text_and_accepts_unknown() {
        for q in QUESTIONS {
            assert!(q.text.ends_with('?'), "{}", q.id);
            assert!(q.allowed_answers().contains(&Answer::Unknown), "{}", q.id);
        }
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(question("xavn").map(|q| q.id), Some("XAVN"));
        assert!(question("XAVQ").is_none());
    }
}
