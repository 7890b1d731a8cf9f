//! Explanations: every range check can say why it decided.

use crate::Scheme;
use std::fmt;

/// Outcome of a range check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The version is inside the range.
    Affected,
    /// The version is outside the range.
    NotAffected,
    /// The range cannot be evaluated against a version (GIT commit ranges,
    /// unknown schemes). `contains` reports `false` for these.
    Unknown,
}

/// Why a range check decided as it did.
///
/// `text` is one sentence such as
/// `1.2.3 >= introduced 1.0.0 and < fixed 1.2.4 (semver)`; `notes` carry
/// caveats (a version outside its scheme's grammar, skipped GIT ranges…).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    /// The verdict.
    pub verdict: Verdict,
    /// The scheme used for comparisons, when one applied.
    pub scheme: Option<Scheme>,
    /// The kind of range: `vers`, `osv` or `nvd`.
    pub source: &'static str,
    /// The deciding comparison(s) in words.
    pub text: String,
    /// Caveats.
    pub notes: Vec<String>,
}

impl Explanation {
    /// True when the verdict is [`Verdict::Affected`].
    pub fn is_affected(&self) -> bool {
        self.verdict == Verdict::Affected
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if let Some(s) = self.scheme {
            write!(f, " ({s})")?;
        }
        for n in &self.notes {
            write!(f, "; note: {n}")?;
        }
        Ok(())
    }
}

pub(crate) fn invalid_note(v: &crate::Version) -> Option<String> {
    if v.is_valid() {
        None
    } else {
        Some(format!(
            "{:?} is not a valid {} version; it was ordered with the generic scheme below all valid versions",
            v.as_str(),
            v.scheme()
        ))
    }
}
