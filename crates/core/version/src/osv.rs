//! OSV `affected[]` entries: `ranges` (SEMVER, ECOSYSTEM, GIT) and explicit
//! `versions` lists, evaluated with the OSV schema's algorithm.
//!
//! For one range the events are sorted by version (`introduced: "0"` is
//! below everything; at equal versions `introduced` comes before
//! `last_affected`, `fixed` and `limit`) and walked: at/after an
//! `introduced` the version is affected, at/after a `fixed` or strictly
//! after a `last_affected` it is not. When the range has `limit` events the
//! version must also be below at least one of them (`limit: "*"` = no limit).
//! Several introduced/fixed pairs in one range are handled by the walk.
//! SEMVER ranges always use [`Scheme::Semver`]; ECOSYSTEM ranges use the
//! scheme of the package's ecosystem; GIT ranges are commit ranges and are
//! reported as not evaluable for version matching ([`Verdict::Unknown`] when
//! nothing else decides) instead of failing.

use crate::explain::{invalid_note, Explanation, Verdict};
use crate::{Scheme, Version};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Range type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeType {
    /// SemVer 2.0 versions.
    #[serde(rename = "SEMVER")]
    Semver,
    /// The ecosystem's own versions.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Git commits.
    #[serde(rename = "GIT")]
    Git,
    /// Anything else (kept, not evaluated).
    #[serde(untagged)]
    Other(String),
}

/// One OSV event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `introduced` (inclusive lower bound; `"0"` = from the beginning).
    Introduced(String),
    /// `fixed` (exclusive upper bound).
    Fixed(String),
    /// `last_affected` (inclusive upper bound).
    LastAffected(String),
    /// `limit` (exclusive cap over the whole range; `"*"` = none).
    Limit(String),
}

impl Event {
    /// The event name as in OSV JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
    /// The version text.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
    fn tie_rank(&self) -> u8 {
        match self {
            Event::Introduced(_) => 0,
            Event::LastAffected(_) => 1,
            Event::Fixed(_) => 2,
            Event::Limit(_) => 3,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RawEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawEvent::deserialize(d)?;
        match (r.introduced, r.fixed, r.last_affected, r.limit) {
            (Some(v), None, None, None) => Ok(Event::Introduced(v)),
            (None, Some(v), None, None) => Ok(Event::Fixed(v)),
            (None, None, Some(v), None) => Ok(Event::LastAffected(v)),
            (None, None, None, Some(v)) => Ok(Event::Limit(v)),
            _ => Err(serde::de::Error::custom(
                "an OSV event must have exactly one of introduced, fixed, last_affected, limit",
            )),
        }
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = Some(self.version().to_string());
        let r = match self {
            Event::Introduced(_) => RawEvent {
                introduced: v,
                fixed: None,
                last_affected: None,
                limit: None,
            },
            Event::Fixed(_) => RawEvent {
                introduced: None,
                fixed: v,
                last_affected: None,
                limit: None,
            },
            Event::LastAffected(_) => RawEvent {
                introduced: None,
                fixed: None,
                last_affected: v,
                limit: None,
            },
            Event::Limit(_) => RawEvent {
                introduced: None,
                fixed: None,
                last_affected: None,
                limit: v,
            },
        };
        r.serialize(s)
    }
}

/// An OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvRange {
    /// Range type.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// Repository (GIT ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// The `package` object of an OSV `affected` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvPackage {
    /// Ecosystem, e.g. `PyPI`, `Debian:11`.
    #[serde(default)]
    pub ecosystem: String,
    /// Package name.
    #[serde(default)]
    pub name: String,
    /// Package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One OSV `affected[]` entry (the fields that matter for version matching;
/// unknown fields are ignored when deserialising).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvAffected {
    /// The package.
    #[serde(default)]
    pub package: OsvPackage,
    /// Ranges.
    #[serde(default)]
    pub ranges: Vec<OsvRange>,
    /// Explicitly enumerated affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// Errors building a matcher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OsvError {
    /// No ordering for this ecosystem.
    #[error("no version ordering for OSV ecosystem {0:?}")]
    UnsupportedEcosystem(String),
}

#[derive(Debug, Clone)]
struct CEvent {
    ev: Event,
    /// `None` for `introduced: "0"` and `limit: "*"`.
    v: Option<Version>,
}

#[derive(Debug, Clone)]
struct CRange {
    index: usize,
    scheme: Scheme,
    events: Vec<CEvent>, // introduced/fixed/last_affected, sorted
    limits: Vec<CEvent>,
}

/// A compiled, reusable matcher for one `affected` entry.
#[derive(Debug, Clone)]
pub struct AffectedMatcher {
    scheme: Scheme,
    ranges: Vec<CRange>,
    git_ranges: usize,
    other_ranges: usize,
    versions: Vec<Version>,
}

impl OsvAffected {
    /// Compile with the scheme of `package.ecosystem`.
    pub fn matcher(&self) -> Result<AffectedMatcher, OsvError> {
        let s = Scheme::from_ecosystem(&self.package.ecosystem)
            .ok_or_else(|| OsvError::UnsupportedEcosystem(self.package.ecosystem.clone()))?;
        Ok(self.matcher_with_scheme(s))
    }

    /// Compile with an explicit scheme for ECOSYSTEM ranges and versions.
    pub fn matcher_with_scheme(&self, scheme: Scheme) -> AffectedMatcher {
        let mut ranges = Vec::new();
        let (mut git, mut other) = (0, 0);
        for (index, r) in self.ranges.iter().enumerate() {
            let s = match r.kind {
                RangeType::Semver => Scheme::Semver,
                RangeType::Ecosystem => scheme,
                RangeType::Git => {
                    git += 1;
                    continue;
                }
                RangeType::Other(_) => {
                    other += 1;
                    continue;
                }
            };
            ranges.push(compile_range(index, s, &r.events));
        }
        AffectedMatcher {
            scheme,
            ranges,
            git_ranges: git,
            other_ranges: other,
            versions: self
                .versions
                .iter()
                .map(|v| Version::new(scheme, v))
                .collect(),
        }
    }

    /// Convenience: compile and check (`false` for unsupported ecosystems).
    pub fn contains(&self, version: &str) -> bool {
        self.matcher().map(|m| m.contains(version)).unwrap_or(false)
    }
}

impl OsvRange {
    /// Evaluate this single range for `version` (`scheme` is used for
    /// ECOSYSTEM ranges). GIT ranges give [`Verdict::Unknown`].
    pub fn explain(&self, scheme: Scheme, version: &str) -> Explanation {
        let a = OsvAffected {
            package: OsvPackage::default(),
            ranges: vec![self.clone()],
            versions: Vec::new(),
        };
        a.matcher_with_scheme(scheme).explain(version)
    }

    /// Evaluate this single range (`false` for GIT ranges).
    pub fn contains(&self, scheme: Scheme, version: &str) -> bool {
        self.explain(scheme, version).is_affected()
    }
}

fn compile_range(index: usize, scheme: Scheme, events: &[Event]) -> CRange {
    let mut evs = Vec::new();
    let mut limits = Vec::new();
    for e in events {
        match e {
            Event::Introduced(v) if v == "0" => evs.push(CEvent {
                ev: e.clone(),
                v: None,
            }),
            Event::Limit(v) if v == "*" => limits.push(CEvent {
                ev: e.clone(),
                v: None,
            }),
            Event::Limit(v) => limits.push(CEvent {
                ev: e.clone(),
                v: Some(Version::new(scheme, v)),
            }),
            _ => evs.push(CEvent {
                ev: e.clone(),
                v: Some(Version::new(scheme, e.version())),
            }),
        }
    }
    crate::insertion_sort_by(&mut evs, |a, b| {
        let o = match (&a.v, &b.v) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y),
        };
        o.then_with(|| a.ev.tie_rank().cmp(&b.ev.tie_rank()))
    });
    CRange {
        index,
        scheme,
        events: evs,
        limits,
    }
}

enum RangeWhy {
    /// Affected: introduced event index, next upper bound index (if any).
    In(usize, Option<usize>),
    /// Not affected: deciding fixed/last_affected index.
    Closed(usize),
    /// Not affected: below every introduced.
    BeforeAll,
    /// Not affected: at or above every limit (index of the highest limit).
    Limited(usize),
}

impl CRange {
    fn eval(&self, v: &Version) -> (bool, RangeWhy) {
        if !self.limits.is_empty() {
            let below_some = self.limits.iter().any(|l| match &l.v {
                None => true,
                Some(lv) => v.compare(lv).is_lt(),
            });
            if !below_some {
                return (false, RangeWhy::Limited(self.limits.len() - 1));
            }
        }
        let ge = |e: &CEvent| match &e.v {
            None => true,
            Some(x) => v.compare(x).is_ge(),
        };
        let mut state: Option<(bool, usize)> = None;
        for (i, e) in self.events.iter().enumerate() {
            match e.ev {
                Event::Introduced(_) if ge(e) => state = Some((true, i)),
                Event::Fixed(_) if ge(e) => state = Some((false, i)),
                Event::LastAffected(_) if e.v.as_ref().is_some_and(|x| v.compare(x).is_gt()) => {
                    state = Some((false, i))
                }
                _ => {}
            }
        }
        match state {
            None => (false, RangeWhy::BeforeAll),
            Some((false, i)) => (false, RangeWhy::Closed(i)),
            Some((true, i)) => {
                // the next upper bound above v
                let up = self
                    .events
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find_map(|(k, e)| match e.ev {
                        Event::Fixed(_) | Event::LastAffected(_) => Some(k),
                        _ => None,
                    });
                (true, RangeWhy::In(i, up))
            }
        }
    }

    fn describe(&self, version: &str, why: &RangeWhy) -> String {
        let ev = |i: usize| &self.events[i].ev;
        let bound = |e: &Event| match e {
            Event::Introduced(v) if v == "0" => "introduced 0 (all versions)".to_string(),
            e => format!("{} {}", e.kind(), e.version()),
        };
        match why {
            RangeWhy::In(i, up) => {
                let mut s = format!("{version} >= {}", bound(ev(*i)));
                match up.map(ev) {
                    Some(e @ Event::Fixed(_)) => s.push_str(&format!(" and < {}", bound(e))),
                    Some(e @ Event::LastAffected(_)) => {
                        s.push_str(&format!(" and <= {}", bound(e)))
                    }
                    _ => s.push_str(" and no later fixed/last_affected event"),
                }
                if let Some(l) = self.limits.iter().find(|l| l.v.is_some()) {
                    s.push_str(&format!(" and < limit {}", l.ev.version()));
                }
                s
            }
            RangeWhy::Closed(i) => match ev(*i) {
                e @ Event::LastAffected(_) => format!("{version} > {}", bound(e)),
                e => format!("{version} >= {}", bound(e)),
            },
            RangeWhy::BeforeAll => {
                match self
                    .events
                    .iter()
                    .find(|e| matches!(e.ev, Event::Introduced(_)))
                {
                    Some(e) => format!("{version} < {}", bound(&e.ev)),
                    None => format!("range has no introduced event, {version} is not affected"),
                }
            }
            RangeWhy::Limited(i) => {
                format!(
                    "{version} >= every limit (last: limit {})",
                    self.limits[*i].ev.version()
                )
            }
        }
    }
}

impl AffectedMatcher {
    /// The scheme used for ECOSYSTEM ranges and the versions list.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Is `version` affected? (`false` when only GIT ranges could decide.)
    pub fn contains(&self, version: &str) -> bool {
        let v = Version::new(self.scheme, version);
        if self.versions.iter().any(|x| x.compare(&v).is_eq()) {
            return true;
        }
        let mut sv: Option<Version> = None;
        for r in &self.ranges {
            let hit = if r.scheme == self.scheme {
                r.eval(&v).0
            } else {
                let s = sv.get_or_insert_with(|| Version::new(r.scheme, version));
                r.eval(s).0
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Decide and explain.
    pub fn explain(&self, version: &str) -> Explanation {
        let v = Version::new(self.scheme, version);
        let mut notes: Vec<String> = invalid_note(&v).into_iter().collect();
        if self.git_ranges > 0 {
            notes.push(format!(
                "{} GIT range(s) not evaluated (commit ranges do not apply to version matching)",
                self.git_ranges
            ));
        }
        if self.other_ranges > 0 {
            notes.push(format!(
                "{} range(s) of unknown type not evaluated",
                self.other_ranges
            ));
        }
        if let Some(x) = self.versions.iter().find(|x| x.compare(&v).is_eq()) {
            return Explanation {
                verdict: Verdict::Affected,
                scheme: Some(self.scheme),
                source: "osv",
                text: format!("{version} is listed in affected versions (as {x})"),
                notes,
            };
        }
        let mut misses = Vec::new();
        let mut used = None;
        for r in &self.ranges {
            let rv = if r.scheme == self.scheme {
                v.clone()
            } else {
                Version::new(r.scheme, version)
            };
            let (hit, why) = r.eval(&rv);
            used = Some(r.scheme);
            let text = format!("range {}: {}", r.index + 1, r.describe(version, &why));
            if hit {
                return Explanation {
                    verdict: Verdict::Affected,
                    scheme: Some(r.scheme),
                    source: "osv",
                    text,
                    notes,
                };
            }
            misses.push(text);
        }
        if self.ranges.is_empty() && self.versions.is_empty() {
            let verdict = if self.git_ranges + self.other_ranges > 0 {
                Verdict::Unknown
            } else {
                Verdict::NotAffected
            };
            return Explanation {
                verdict,
                scheme: None,
                source: "osv",
                text: format!("no version range or version list applies to {version}"),
                notes,
            };
        }
        if !self.versions.is_empty() {
            misses.push(format!(
                "{version} is not among the {} listed versions",
                self.versions.len()
            ));
        }
        Explanation {
            verdict: Verdict::NotAffected,
            scheme: used.or(Some(self.scheme)),
            source: "osv",
            text: misses.join("; "),
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aff(eco: &str, json_ranges: &str) -> OsvAffected {
        let s =
            format!(r#"{{"package":{{"ecosystem":"{eco}","name":"x"}},"ranges":{json_ranges}}}"#);
        serde_json::from_str(&s).unwrap()
    }

    #[test]
    fn introduced_zero_and_fixed() {
        let a = aff(
            "npm",
            r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.4"}]}]"#,
        );
        assert!(a.contains("0.0.1"));
        assert!(a.contains("1.2.3"));
        assert!(!a.contains("1.2.4"));
        let e = a.matcher().unwrap().explain("1.2.3");
        assert_eq!(
            e.to_string(),
            "range 1: 1.2.3 >= introduced 0 (all versions) and < fixed 1.2.4 (semver)"
        );
    }

    #[test]
    fn explanation_mentions_bounds() {
        let a = aff(
            "crates.io",
            r#"[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.2.4"}]}]"#,
        );
        let e = a.matcher().unwrap().explain("1.2.3");
        assert_eq!(
            e.text,
            "range 1: 1.2.3 >= introduced 1.0.0 and < fixed 1.2.4"
        );
        assert_eq!(
            e.to_string(),
            "range 1: 1.2.3 >= introduced 1.0.0 and < fixed 1.2.4 (semver)"
        );
        let e = a.matcher().unwrap().explain("1.2.4");
        assert_eq!(e.verdict, Verdict::NotAffected);
        assert_eq!(e.text, "range 1: 1.2.4 >= fixed 1.2.4");
    }

    #[test]
    fn git_only_is_unknown() {
        let a = aff(
            "",
            r#"[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"},{"fixed":"def"}]}]"#,
        );
        let m = a.matcher_with_scheme(Scheme::Generic);
        assert_eq!(m.explain("1.0").verdict, Verdict::Unknown);
        assert!(!m.contains("1.0"));
    }
}
