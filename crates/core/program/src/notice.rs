//! The customer notification (postmarket guidance §VII.B(2)(a–d)): for the day-30 condition it
//! must, at minimum, (a) describe the vulnerability with an impact assessment, (b) state that
//! efforts to address the risk are under way, (c) describe the compensating controls, and (d)
//! state that a fix is in progress and its availability will be communicated. A [`Notice`]
//! cannot be built without all four.

use serde::{Deserialize, Serialize};

use crate::ProgramError;

/// A notice as drafted: any element may still be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeDraft {
    pub vulnerability_and_impact: Option<String>,
    pub work_under_way: Option<String>,
    pub compensating_controls: Option<String>,
    pub fix_coming: Option<String>,
}

/// A notice with FDA's four elements, each non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub vulnerability_and_impact: String,
    pub work_under_way: String,
    pub compensating_controls: String,
    pub fix_coming: String,
}

fn element(
    value: Option<String>,
    element: &'static str,
    letter: char,
    hint: &'static str,
) -> Result<String, ProgramError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(ProgramError::MissingNoticeElement {
            element,
            letter,
            hint,
        }),
    }
}

impl Notice {
    /// Builds the notice, naming the first missing element.
    pub fn new(draft: NoticeDraft) -> Result<Self, ProgramError> {
        Ok(Self {
            vulnerability_and_impact: element(
                draft.vulnerability_and_impact,
                "the vulnerability and its impact",
                'a',
                "describe the vulnerability with an impact assessment",
            )?,
            work_under_way: element(
                draft.work_under_way,
                "the statement that work is under way",
                'b',
                "state that efforts to address the risk are under way",
            )?,
            compensating_controls: element(
                draft.compensating_controls,
                "the compensating controls",
                'c',
                "describe the compensating controls (or say that none exist)",
            )?,
            fix_coming: element(
                draft.fix_coming,
                "the statement that a fix is coming",
                'd',
                "state that a fix is in progress and that its availability will be communicated",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> NoticeDraft {
        NoticeDraft {
            vulnerability_and_impact: Some("open port allows firmware download".into()),
            work_under_way: Some("we are developing a fix".into()),
            compensating_controls: Some("block port 4444 at the firewall".into()),
            fix_coming: Some("a validated update will follow; we will tell you".into()),
        }
    }

    #[test]
    fn all_four_make_a_notice() {
        let n = Notice::new(full()).unwrap();
        assert_eq!(n.compensating_controls, "block port 4444 at the firewall");
    }

    #[test]
    fn a_missing_or_blank_element_is_named() {
        let mut d = full();
        d.compensating_controls = Some("  ".into());
        let e = Notice::new(d).unwrap_err().to_string();
        assert!(
            e.contains("the compensating controls") && e.contains("§VII.B(2)(c)"),
            "{e}"
        );
        let mut d = full();
        d.fix_coming = None;
        let e = Notice::new(d).unwrap_err().to_string();
        assert!(e.contains("a fix is coming") && e.contains("(d)"), "{e}");
    }
}
