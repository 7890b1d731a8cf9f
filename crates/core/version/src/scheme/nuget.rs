//! NuGet versions (SemVer 2.0 extended to four numeric parts).
//!
//! `Major[.Minor[.Patch[.Revision]]][-label(.label)*][+metadata]`, missing
//! parts are 0 and leading zeros are ignored (`1.0.01` = `1.0.1.0`). A
//! version with a release label sorts before the same version without.
//! Labels compare identifier by identifier: numeric identifiers numerically
//! and below alphanumeric ones; alphanumeric identifiers compare
//! case-insensitively (ordinal, upper-cased); a shorter list sorts first.
//! Build metadata is ignored. Numbers may be any size.
//!
//! Anything else (no leading number, more than four parts, empty labels) is
//! rejected with [`ParseError`] and ordered by [`crate::Version`] with the
//! generic scheme below every valid version.

use crate::num::Num;
use crate::ParseError;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    Num(Num),
    Str(Box<str>), // upper-cased
}

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct NugetVersion {
    parts: [Num; 4],
    labels: Vec<Label>,
}

impl NugetVersion {
    /// Parse a NuGet version.
    pub fn parse(input: &str) -> Result<NugetVersion, ParseError> {
        let err = |why: &str| ParseError::new("nuget", input, why);
        let s = input.trim();
        let s = s.split_once('+').map_or(s, |(a, _)| a);
        let (core, label) = match s.split_once('-') {
            Some((c, l)) => (c, Some(l)),
            None => (s, None),
        };
        let mut parts = [Num::Small(0), Num::Small(0), Num::Small(0), Num::Small(0)];
        for (n, p) in core.split('.').enumerate() {
            if n >= 4 {
                return Err(err("more than four numeric parts"));
            }
            if !crate::num::is_digits(p) {
                return Err(err("numeric part expected"));
            }
            parts[n] = Num::from_digits(p);
        }
        let mut labels = Vec::new();
        if let Some(l) = label {
            for id in l.split('.') {
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(err("invalid release label"));
                }
                labels.push(if crate::num::is_digits(id) {
                    Label::Num(Num::from_digits(id))
                } else {
                    Label::Str(id.to_ascii_uppercase().into())
                });
            }
        }
        Ok(NugetVersion { parts, labels })
    }
}

impl Ord for NugetVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        self.parts
            .cmp(&o.parts)
            .then_with(|| match (self.labels.is_empty(), o.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(o.labels.iter()) {
                        let r = match (a, b) {
                            (Label::Num(x), Label::Num(y)) => x.cmp(y),
                            (Label::Num(_), Label::Str(_)) => Ordering::Less,
                            (Label::Str(_), Label::Num(_)) => Ordering::Greater,
                            (Label::Str(x), Label::Str(y)) => x.cmp(y),
                        };
                        if r != Ordering::Equal {
                            return r;
                        }
                    }
                    self.labels.len().cmp(&o.labels.len())
                }
            })
    }
}
impl PartialOrd for NugetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for NugetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NugetVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn n(s: &str) -> NugetVersion {
        NugetVersion::parse(s).unwrap()
    }
    #[test]
    fn four_parts() {
        assert_eq!(n("1.0"), n("1.0.0.0"));
        assert!(n("1.0.0") < n("1.0.0.1-alpha"));
        assert!(n("1.0.0-BETA") < n("1.0.0-beta2"));
        assert_eq!(n("1.0.0-BETA"), n("1.0.0-beta"));
        assert_eq!(n("1.0.0+a"), n("1.0.0+b"));
    }
}
