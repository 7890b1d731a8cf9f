//! RubyGems versions (`Gem::Version`).
//!
//! Valid versions match `N(.X)*(-X(.X)*)?` where `N` is digits and `X` are
//! alphanumeric (surrounding whitespace ignored). A `-` is read as
//! `.pre.` (so `1.0-rc1` is a pre-release). The version is cut into
//! segments: runs of digits (numbers of any size) and runs of letters.
//! Segments are split at the first letter segment into a release part and a
//! pre-release part; trailing zeros are dropped from each part. Comparison
//! is segment by segment, a missing segment counting as 0; a letter segment
//! is lower than a number, letter segments compare by bytes. So
//! `1.0.a < 1.0.b1 < 1.0 < 1.0.1` and `1.0.a2 = 1.0.a.2`.
//!
//! Anything else is rejected with [`ParseError`] and ordered by
//! [`crate::Version`] with the generic scheme below every valid version.

use crate::num::Num;
use crate::ParseError;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(Num),
    Str(Box<str>),
}

/// A parsed RubyGems version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    segs: Vec<Seg>,
}

fn valid(s: &str) -> bool {
    if s.is_empty() {
        return true; // "" is Gem::Version "0"
    }
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first = parts.next().unwrap_or("");
    if !crate::num::is_digits(first) {
        return false;
    }
    if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return false;
    }
    match pre {
        None => true,
        Some(p) => p
            .split('.')
            .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
    }
}

impl GemVersion {
    /// Parse a gem version.
    pub fn parse(input: &str) -> Result<GemVersion, ParseError> {
        let s = input.trim();
        if !valid(s) {
            return Err(ParseError::new(
                "gem",
                input,
                "malformed version number string",
            ));
        }
        let s = s.replace('-', ".pre.");
        let b = s.as_bytes();
        let mut segs = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let st = i;
            if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                segs.push(Seg::Num(Num::from_digits(&s[st..i])));
            } else if b[i].is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segs.push(Seg::Str(s[st..i].into()));
            } else {
                i += 1;
            }
        }
        // canonical segments: drop trailing zeros of the release and of the pre-release part
        let split = segs
            .iter()
            .position(|x| matches!(x, Seg::Str(_)))
            .unwrap_or(segs.len());
        let mut pre = segs.split_off(split);
        let trim = |v: &mut Vec<Seg>| {
            while matches!(v.last(), Some(Seg::Num(n)) if n.is_zero()) {
                v.pop();
            }
        };
        trim(&mut segs);
        trim(&mut pre);
        segs.extend(pre);
        Ok(GemVersion { segs })
    }

    /// True when the version has a letter segment.
    pub fn is_prerelease(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Str(_)))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        let zero = Seg::Num(Num::Small(0));
        let n = self.segs.len().max(o.segs.len());
        for i in 0..n {
            let a = self.segs.get(i).unwrap_or(&zero);
            let b = o.segs.get(i).unwrap_or(&zero);
            let r = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => x.cmp(y),
                (Seg::Str(x), Seg::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn g(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap()
    }
    #[test]
    fn basics() {
        assert!(g("1.0.a") < g("1.0.b1"));
        assert!(g("1.0.b1") < g("1.0"));
        assert!(g("1.0") < g("1.0.1"));
        assert_eq!(g("1.0.a2"), g("1.0.a.2"));
        assert_eq!(g("1.0"), g("1"));
        assert!(g("1.0-rc1") < g("1.0"));
        assert!(GemVersion::parse("junk").is_err());
    }
}
