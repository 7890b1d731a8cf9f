//! The answers an analyst gives to the rubric, and their JSON format.
//!
//! # Format
//!
//! One JSON object whose keys are question ids and whose values are answer
//! strings:
//!
//! ```json
//! { "XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "yes",
//!   "XACL": "yes", "XPRL": "no", "XUI": "no", "XS": "unknown",
//!   "XCP": "yes", "XCPM": "no", "XIT": "high", "XAT": "low" }
//! ```
//!
//! - Ids are the rubric's (`XAVN` … `XAO`, see [`QUESTIONS`](super::QUESTIONS));
//!   matching ignores ASCII case. An id the rubric does not have is an error
//!   that names it.
//! - Answers are `yes`, `no` or `unknown` for the yes/no questions (AV, AC,
//!   PR, UI, S, XCP and XCPM) and `high`, `low`, `none` or `unknown` for the
//!   other C/I/A questions; case is ignored. Anything else is an error that
//!   names the question, the answer and what was expected.
//! - A question answered twice is an error (JSON itself would silently keep
//!   the last one).
//! - A question left out counts as `unknown`, which resolves to the worse
//!   value; the answer record marks it as not answered. An empty object
//!   therefore yields the worst case,
//!   `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H`.

use super::questions::{known_ids, question, Answer};
use crate::error::{Error, Result};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Validated answers, keyed by canonical question id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Answers {
    given: BTreeMap<&'static str, Answer>,
}

impl Answers {
    /// No answers: every question counts as unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the JSON answers format described in the module docs.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let raw = RawAnswers::deserialize(&mut de).map_err(|e| Error::MalformedAnswers {
            message: e.to_string(),
        })?;
        de.end().map_err(|e| Error::MalformedAnswers {
            message: e.to_string(),
        })?;
        Self::from_pairs(raw.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Builds answers from (id, answer) pairs, refusing unknown ids, invalid
    /// answers and duplicates.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut answers = Self::new();
        for (id, answer) in pairs {
            answers.set(id, answer)?;
        }
        Ok(answers)
    }

    /// Records one answer. Refuses an unknown id, an answer the question
    /// does not accept, and a second answer to the same question.
    pub fn set(&mut self, id: &str, answer: &str) -> Result<()> {
        let q = question(id).ok_or_else(|| Error::UnknownQuestion {
            id: id.to_string(),
            known: known_ids(),
        })?;
        let parsed = q
            .kind
            .allowed()
            .iter()
            .copied()
            .find(|a| a.as_str().eq_ignore_ascii_case(answer.trim()))
            .ok_or_else(|| Error::InvalidAnswer {
                question: q.id.to_string(),
                answer: answer.to_string(),
                expected: q.kind.allowed_list(),
            })?;
        if self.given.insert(q.id, parsed).is_some() {
            return Err(Error::DuplicateAnswer {
                question: q.id.to_string(),
            });
        }
        Ok(())
    }

    /// The answer given to a question, if any.
    pub fn get(&self, id: &str) -> Option<Answer> {
        question(id).and_then(|q| self.given.get(q.id).copied())
    }

    /// The answers given, by canonical id.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Answer)> + '_ {
        self.given.iter().map(|(k, v)| (*k, *v))
    }

    /// How many questions were answered.
    pub fn len(&self) -> usize {
        self.given.len()
    }

    /// Whether no question was answered.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

impl<'de> Deserialize<'de> for Answers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawAnswers::deserialize(deserializer)?;
        Answers::from_pairs(raw.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(de::Error::custom)
    }
}

/// The object as written, pairs in order, duplicates kept so they can be
/// refused.
struct RawAnswers(Vec<(String, String)>);

impl<'de> Deserialize<'de> for RawAnswers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;

        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = RawAnswers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping rubric question ids to answer strings")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<RawAnswers, M::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    match value {
                        serde_json::Value::String(s) => pairs.push((key, s)),
                        other => {
                            return Err(de::Error::custom(format!(
                                "answer to {key} must be a string, found {other}"
                            )))
                        }
                    }
                }
                Ok(RawAnswers(pairs))
            }
        }

        deserializer.deserialize_map(PairsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_to_canonical_ids() {
        let a = Answers::from_json(r#"{"xavn": "YES", "XIT": "High"}"#).unwrap();
        assert_eq!(a.get("XAVN"), Some(Answer::Yes));
        assert_eq!(a.get("XIT"), Some(Answer::High));
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn refuses_unknown_question_naming_it() {
        let err = Answers::from_json(r#"{"XAVQ": "yes"}"#).unwrap_err();
        assert!(matches!(&err, Error::UnknownQuestion { id, .. } if id == "XAVQ"));
        assert!(err.to_string().contains("'XAVQ'"), "{err}");
    }

    #[test]
    fn refuses_answer_outside_the_questions_kind() {
        // XAVN is yes/no; "high" belongs to the C/I/A questions.
        let err = Answers::from_json(r#"{"XAVN": "high"}"#).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidAnswer {
                question: "XAVN".into(),
                answer: "high".into(),
                expected: "yes, no, unknown".into()
            }
        );
        let err = Answers::from_json(r#"{"XIT": "yes"}"#).unwrap_err();
        assert!(
            err.to_string().contains("high, low, none, unknown"),
            "{err}"
        );
    }

    #[test]
    fn refuses_duplicates_and_non_strings_and_non_objects() {
        let err = Answers::from_json(r#"{"XUI": "no", "xui": "yes"}"#).unwrap_err();
        assert_eq!(
            err,
            Error::DuplicateAnswer {
                question: "XUI".into()
            }
        );
        let err = Answers::from_json(r#"{"XUI": true}"#).unwrap_err();
        assert!(err.to_string().contains("must be a string"), "{err}");
        let err = Answers::from_json(r#"["XUI"]"#).unwrap_err();
        assert!(matches!(err, Error::MalformedAnswers { .. }));
        let err = Answers::from_json(r#"{"XUI": "no"} trailing"#).unwrap_err();
        assert!(matches!(err, Error::MalformedAnswers { .. }));
    }

    #[test]
    fn serde_round_trip_keeps_answers() {
        let a = Answers::from_pairs([("XS", "unknown"), ("XAO", "none")]).unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"XAO":"none","XS":"unknown"}"#);
        let back: Answers = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
    }
}
