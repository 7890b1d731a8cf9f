//! Semantic Versioning 2.0.0 (npm, crates.io, Go modules, Hex, GitHub Actions)
//! and the Pub (Dart) variant.
//!
//! Precedence follows semver.org §11: major, minor, patch compared
//! numerically; a version with a pre-release sorts before the same version
//! without; pre-release identifiers are compared one by one (numeric
//! identifiers numerically and below alphanumeric ones, alphanumeric ones in
//! ASCII order, a shorter list first when it is a prefix). Build metadata is
//! ignored for precedence, except in the Pub flavour where, as in Dart's
//! `pub_semver`, a version with build metadata sorts after the same version
//! without, and build identifiers are compared like pre-release ones.
//!
//! Parsing is lenient in the way vulnerability data needs (documented as the
//! "unparseable input" policy):
//! * a leading `v`/`V` is accepted (Go: `v1.2.3`, pseudo-versions such as
//!   `v0.0.0-20210101000000-abcdef123456` are ordinary pre-releases);
//! * one or two core components are accepted and the missing ones are 0
//!   (`1` = `1.0.0`), leading zeros are accepted and ignored;
//! * components after the third are treated as build metadata (as in the
//!   OSV/osv-scalibr test vectors);
//! * numbers may have any size.
//!
//! A string whose first component is not a decimal number (`abc`, ``, `x.1`)
//! is rejected with [`ParseError`]; [`crate::Version`] then orders it with the
//! generic scheme below every valid version.

use crate::num::Num;
use crate::ParseError;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ident {
    Num(Num),
    Alnum(Box<str>),
}

impl Ord for Ident {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => a.cmp(b),
            (Ident::Num(_), Ident::Alnum(_)) => Ordering::Less,
            (Ident::Alnum(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Alnum(a), Ident::Alnum(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}
impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(crate) fn parse_idents(s: &str) -> Vec<Ident> {
    s.split('.')
        .map(|p| {
            if crate::num::is_digits(p) {
                Ident::Num(Num::from_digits(p))
            } else {
                Ident::Alnum(p.into())
            }
        })
        .collect()
}

/// Compare identifier lists: element-wise, a shorter prefix first.
pub(crate) fn cmp_idents(a: &[Ident], b: &[Ident]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = x.cmp(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// A parsed semantic version.
#[derive(Debug, Clone)]
pub struct SemverVersion {
    major: Num,
    minor: Num,
    patch: Num,
    pre: Vec<Ident>,
    build: Vec<Ident>,
    strict: bool,
}

impl SemverVersion {
    /// Parse leniently (see module docs).
    pub fn parse(input: &str) -> Result<SemverVersion, ParseError> {
        let s = input.trim();
        let mut strict = s.len() == input.len();
        let s = match s.strip_prefix(['v', 'V']) {
            Some(r) => {
                strict = false;
                r
            }
            None => s,
        };
        let (rest, build_s) = match s.split_once('+') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let (core, pre_s) = match rest.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let mut nums: [Num; 3] = [Num::Small(0), Num::Small(0), Num::Small(0)];
        let mut extra: Vec<Ident> = Vec::new();
        let mut count = 0;
        for (i, p) in parts.by_ref().enumerate() {
            if i < 3 {
                if !crate::num::is_digits(p) {
                    return Err(ParseError::new(
                        "semver",
                        input,
                        "core component is not a number",
                    ));
                }
                if p.len() > 1 && p.starts_with('0') {
                    strict = false;
                }
                nums[i] = Num::from_digits(p);
            } else {
                strict = false;
                extra.extend(parse_idents(p));
            }
            count += 1;
        }
        if count != 3 {
            strict = false;
        }
        let pre = match pre_s {
            Some(p) => {
                let ids = parse_idents(p);
                if !valid_idents(p, true) {
                    strict = false;
                }
                ids
            }
            None => Vec::new(),
        };
        let mut build = extra;
        if let Some(b) = build_s {
            if !valid_idents(b, false) {
                strict = false;
            }
            build.extend(parse_idents(b));
        }
        let [major, minor, patch] = nums;
        Ok(SemverVersion {
            major,
            minor,
            patch,
            pre,
            build,
            strict,
        })
    }

    /// True when the input was strictly valid SemVer 2.0.0 (no `v`, exactly
    /// three components, no leading zeros, valid identifiers).
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// True when the version has a pre-release part.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    fn cmp_core(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_idents(&self.pre, &other.pre),
            })
    }

    /// SemVer precedence (build metadata ignored).
    pub fn cmp_semver(&self, other: &Self) -> Ordering {
        self.cmp_core(other)
    }

    /// Pub precedence (build metadata sorts after, compared like pre-release).
    pub fn cmp_pub(&self, other: &Self) -> Ordering {
        self.cmp_core(other)
            .then_with(|| match (self.build.is_empty(), other.build.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => cmp_idents(&self.build, &other.build),
            })
    }
}

fn valid_idents(s: &str, pre: bool) -> bool {
    s.split('.').all(|p| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(pre && p.len() > 1 && p.starts_with('0') && crate::num::is_digits(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(a: &str, b: &str) -> Ordering {
        SemverVersion::parse(a)
            .unwrap()
            .cmp_semver(&SemverVersion::parse(b).unwrap())
    }

    #[test]
    fn spec_example_chain() {
        let asc = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in asc.windows(2) {
            assert_eq!(c(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn build_metadata_ignored_in_precedence() {
        assert_eq!(c("1.0.0+build.1", "1.0.0+build.2"), Ordering::Equal);
        assert_eq!(c("1.0.0+zzz", "1.0.0"), Ordering::Equal);
        assert_eq!(c("1.0.0-rc.1+b", "1.0.0"), Ordering::Less);
        let p = |s: &str| SemverVersion::parse(s).unwrap();
        assert_eq!(p("1.0.0").cmp_pub(&p("1.0.0+build")), Ordering::Less);
    }

    #[test]
    fn go_style() {
        assert_eq!(c("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(
            c("v0.0.0-20210101000000-abcdef123456", "v0.0.1"),
            Ordering::Less
        );
        assert_eq!(c("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert!(!SemverVersion::parse("v1.2.3").unwrap().is_strict());
        assert!(SemverVersion::parse("1.2.3-rc.1+b").unwrap().is_strict());
        assert!(SemverVersion::parse("x.1").is_err());
    }
}
