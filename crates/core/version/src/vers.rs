//! `vers:` version ranges (purl "vers" specification).
//!
//! `vers:<scheme>/<constraint>[|<constraint>...]`, a constraint being an
//! optional comparator (`=` implied, `!=`, `<`, `<=`, `>`, `>=`) and a
//! percent-encoded version, or the single constraint `*` (any version).
//!
//! [`VersRange::parse`] is strict (canonical form): no whitespace, no
//! leading, trailing or doubled `|`, valid and canonical (upper-case)
//! percent-encoding, `*` alone, a known scheme's constraints sorted by
//! version (equal versions allowed), and for `datetime` upper-case `T`/`Z`
//! and unencoded `:`. [`VersRange::parse_lenient`] accepts unsorted input and
//! sorts it (stable), which is the spec's "validate" normalisation.
//!
//! Containment follows the spec's algorithm: a version equal to an `=`
//! constraint is contained; equal to a `!=` constraint is not; otherwise the
//! `<`, `<=`, `>`, `>=` constraints are walked pairwise in version order:
//! below the first `<`/`<=`, above the last `>`/`>=`, or between a
//! `>`/`>=` and the following `<`/`<=` means contained. With no such
//! constraints a version is contained only if the range consists of `!=`
//! constraints alone ("anything but").

use crate::explain::{invalid_note, Explanation, Verdict};
use crate::{Scheme, Version};
use std::cmp::Ordering;
use std::fmt;

/// A comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `=` (written without the sign in canonical form)
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The sign as written in vers (`=` for equality).
    pub fn sign(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "!=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    /// Does `v` (compared to the constraint version `c` as `ord = v.cmp(c)`) satisfy it?
    pub fn accepts(self, ord: Ordering) -> bool {
        match self {
            Comparator::Eq => ord == Ordering::Equal,
            Comparator::Ne => ord != Ordering::Equal,
            Comparator::Lt => ord == Ordering::Less,
            Comparator::Le => ord != Ordering::Greater,
            Comparator::Gt => ord == Ordering::Greater,
            Comparator::Ge => ord != Ordering::Less,
        }
    }

    fn is_lower(self) -> bool {
        matches!(self, Comparator::Gt | Comparator::Ge)
    }
    fn is_upper(self) -> bool {
        matches!(self, Comparator::Lt | Comparator::Le)
    }
}

/// One constraint: comparator and (decoded) version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// Comparator.
    pub comparator: Comparator,
    /// Decoded version text.
    pub version: String,
}

/// Errors from parsing a `vers:` string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersError {
    /// Not `vers:<scheme>/<constraints>` at all.
    #[error("invalid VERS syntax: {0}")]
    Syntax(String),
    /// Parsable, but not in canonical form.
    #[error("non-canonical VERS: {0}")]
    NotCanonical(String),
    /// The scheme has no ordering here; containment cannot be decided.
    #[error("unsupported VERS scheme {0:?}")]
    UnsupportedScheme(String),
}

/// A parsed `vers:` range.
#[derive(Debug, Clone)]
pub struct VersRange {
    scheme_name: String,
    scheme: Option<Scheme>,
    star: bool,
    constraints: Vec<Constraint>,
    versions: Vec<Option<Version>>,
}

fn scheme_for(name: &str) -> Option<Scheme> {
    Scheme::from_purl_type(name)
}

fn percent_decode(s: &str) -> Result<(String, bool), VersError> {
    // returns (decoded, canonical_hex)
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut canonical = true;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(|c| c.is_ascii_hexdigit()));
            let Some(h) = h else {
                return Err(VersError::NotCanonical(
                    "invalid percent-encoding in version".into(),
                ));
            };
            if h.iter().any(|c| c.is_ascii_lowercase()) {
                canonical = false;
            }
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(h[0]) * 16 + hex(h[1]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out)
        .map_err(|_| VersError::Syntax("percent-decoded version is not UTF-8".into()))?;
    Ok((s, canonical))
}

fn percent_encode(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~+:".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

impl VersRange {
    /// Strict parse (canonical form required).
    pub fn parse(s: &str) -> Result<VersRange, VersError> {
        Self::parse_inner(s, true)
    }

    /// Lenient parse: constraints may be in any order (they are sorted,
    /// stably, by version when the scheme is known).
    pub fn parse_lenient(s: &str) -> Result<VersRange, VersError> {
        let mut r = Self::parse_inner(s, false)?;
        r.sort();
        Ok(r)
    }

    /// Build from parts (constraints are sorted by version).
    pub fn from_constraints(scheme_name: &str, constraints: Vec<Constraint>) -> VersRange {
        let scheme = scheme_for(scheme_name);
        let versions = constraints
            .iter()
            .map(|c| scheme.map(|s| Version::new(s, &c.version)))
            .collect();
        let mut r = VersRange {
            scheme_name: scheme_name.to_string(),
            scheme,
            star: false,
            constraints,
            versions,
        };
        r.sort();
        r
    }

    fn sort(&mut self) {
        let mut idx: Vec<usize> = (0..self.constraints.len()).collect();
        crate::insertion_sort_by(&mut idx, |&a, &b| {
            match (&self.versions[a], &self.versions[b]) {
                (Some(x), Some(y)) => x.compare(y),
                _ => Ordering::Equal,
            }
        });
        self.constraints = idx.iter().map(|&i| self.constraints[i].clone()).collect();
        self.versions = idx.iter().map(|&i| self.versions[i].clone()).collect();
    }

    fn parse_inner(s: &str, strict: bool) -> Result<VersRange, VersError> {
        let nc = |m: &str| Err(VersError::NotCanonical(m.to_string()));
        if s.chars().any(|c| c.is_ascii_whitespace()) {
            return nc("whitespace is not permitted");
        }
        let rest = s
            .strip_prefix("vers:")
            .ok_or_else(|| VersError::Syntax("must start with \"vers:\"".into()))?;
        let (scheme_name, cons) = rest
            .split_once('/')
            .ok_or_else(|| VersError::Syntax("missing '/' after the scheme".into()))?;
        if scheme_name.is_empty() {
            return Err(VersError::Syntax("empty versioning scheme".into()));
        }
        if scheme_name.bytes().any(|b| b.is_ascii_uppercase()) {
            return nc("versioning scheme must be lowercase");
        }
        if cons.is_empty() {
            return Err(VersError::Syntax("no constraints".into()));
        }
        let scheme = scheme_for(scheme_name);
        if cons == "*" {
            return Ok(VersRange {
                scheme_name: scheme_name.to_string(),
                scheme,
                star: true,
                constraints: Vec::new(),
                versions: Vec::new(),
            });
        }
        if cons.starts_with('|') {
            return nc("leading pipe is not permitted");
        }
        if cons.ends_with('|') {
            return nc("trailing pipe is not permitted");
        }
        if cons.contains("||") {
            return nc("consecutive pipes are not permitted");
        }
        let mut constraints = Vec::new();
        for part in cons.split('|') {
            let (comparator, v) = if let Some(v) = part.strip_prefix(">=") {
                (Comparator::Ge, v)
            } else if let Some(v) = part.strip_prefix("<=") {
                (Comparator::Le, v)
            } else if let Some(v) = part.strip_prefix("!=") {
                (Comparator::Ne, v)
            } else if let Some(v) = part.strip_prefix('<') {
                (Comparator::Lt, v)
            } else if let Some(v) = part.strip_prefix('>') {
                (Comparator::Gt, v)
            } else if let Some(v) = part.strip_prefix('=') {
                (Comparator::Eq, v)
            } else {
                (Comparator::Eq, part)
            };
            if v == "*" {
                return nc("'*' must be the only constraint");
            }
            if v.is_empty() {
                return Err(VersError::Syntax(format!(
                    "constraint {part:?} has no version"
                )));
            }
            let (decoded, canonical_hex) = percent_decode(v)?;
            if strict && !canonical_hex {
                return nc("percent-encoding in version is not canonical");
            }
            if scheme_name == "datetime" {
                if v.contains("%3A") {
                    return nc("datetime time colons must be unencoded");
                }
                if v.contains('t') || v.contains('z') {
                    return nc("datetime must use uppercase T and Z");
                }
            }
            constraints.push(Constraint {
                comparator,
                version: decoded,
            });
        }
        let versions: Vec<Option<Version>> = constraints
            .iter()
            .map(|c| scheme.map(|s| Version::new(s, &c.version)))
            .collect();
        if strict {
            for w in versions.windows(2) {
                if let (Some(a), Some(b)) = (&w[0], &w[1]) {
                    if a.compare(b) == Ordering::Greater {
                        return nc("constraints are not sorted by version");
                    }
                }
            }
        }
        Ok(VersRange {
            scheme_name: scheme_name.to_string(),
            scheme,
            star: false,
            constraints,
            versions,
        })
    }

    /// The versioning scheme name as written (`pypi`, `deb`, …).
    pub fn scheme_name(&self) -> &str {
        &self.scheme_name
    }

    /// The ordering used, if the scheme is supported.
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// True for `vers:<scheme>/*`.
    pub fn is_star(&self) -> bool {
        self.star
    }

    /// The constraints, in order.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// Is `version` in the range? `Err` when the scheme is unsupported
    /// (except for `*`, which contains everything).
    pub fn contains(&self, version: &str) -> Result<bool, VersError> {
        if self.star {
            return Ok(true);
        }
        let s = self
            .scheme
            .ok_or_else(|| VersError::UnsupportedScheme(self.scheme_name.clone()))?;
        Ok(self.eval(&Version::new(s, version)).0)
    }

    /// Like [`VersRange::contains`] with an already parsed version (its
    /// scheme should be this range's scheme).
    pub fn contains_version(&self, v: &Version) -> bool {
        self.star || (self.scheme.is_some() && self.eval(v).0)
    }

    /// Decide and explain.
    pub fn explain(&self, version: &str) -> Explanation {
        if self.star {
            return Explanation {
                verdict: Verdict::Affected,
                scheme: self.scheme,
                source: "vers",
                text: format!("{version} matches {self} (any version)"),
                notes: Vec::new(),
            };
        }
        let Some(s) = self.scheme else {
            return Explanation {
                verdict: Verdict::Unknown,
                scheme: None,
                source: "vers",
                text: format!(
                    "{self}: versioning scheme {:?} is not supported",
                    self.scheme_name
                ),
                notes: Vec::new(),
            };
        };
        let v = Version::new(s, version);
        let (inside, why) = self.eval(&v);
        let c = |i: usize| {
            let k = &self.constraints[i];
            (k.comparator.sign(), k.version.as_str())
        };
        let text = match why {
            Why::Equal(i) => format!("{version} = {} in {self}", c(i).1),
            Why::Excluded(i) => format!("{version} is excluded by != {} in {self}", c(i).1),
            Why::Below(i) => format!("{version} {} {} in {self}", c(i).0, c(i).1),
            Why::Above(i) => format!("{version} {} {} in {self}", c(i).0, c(i).1),
            Why::Between(i, j) => {
                format!(
                    "{version} {} {} and {} {} in {self}",
                    c(i).0,
                    c(i).1,
                    c(j).0,
                    c(j).1
                )
            }
            Why::NotExcluded => format!("{version} is not excluded by any != constraint of {self}"),
            Why::Outside => format!("{version} is outside every interval of {self}"),
        };
        Explanation {
            verdict: if inside {
                Verdict::Affected
            } else {
                Verdict::NotAffected
            },
            scheme: Some(s),
            source: "vers",
            text,
            notes: invalid_note(&v).into_iter().collect(),
        }
    }

    fn eval(&self, v: &Version) -> (bool, Why) {
        let cmp = |i: usize| match &self.versions[i] {
            Some(c) => v.compare(c),
            None => Ordering::Equal,
        };
        let mut has_eq = false;
        let mut has_ne = false;
        for (i, k) in self.constraints.iter().enumerate() {
            match k.comparator {
                Comparator::Eq => {
                    has_eq = true;
                    if cmp(i) == Ordering::Equal {
                        return (true, Why::Equal(i));
                    }
                }
                Comparator::Ne => {
                    has_ne = true;
                    if cmp(i) == Ordering::Equal {
                        return (false, Why::Excluded(i));
                    }
                }
                _ => {}
            }
        }
        let rest: Vec<usize> = (0..self.constraints.len())
            .filter(|&i| {
                !matches!(
                    self.constraints[i].comparator,
                    Comparator::Eq | Comparator::Ne
                )
            })
            .collect();
        if rest.is_empty() {
            return if has_ne && !has_eq {
                (true, Why::NotExcluded)
            } else {
                (false, Why::Outside)
            };
        }
        let comp = |i: usize| self.constraints[i].comparator;
        if rest.len() == 1 {
            let i = rest[0];
            let ok = comp(i).accepts(cmp(i));
            return if ok {
                (
                    true,
                    if comp(i).is_upper() {
                        Why::Below(i)
                    } else {
                        Why::Above(i)
                    },
                )
            } else {
                (false, Why::Outside)
            };
        }
        for (n, w) in rest.windows(2).enumerate() {
            let (cur, next) = (w[0], w[1]);
            if n == 0 && comp(cur).is_upper() && comp(cur).accepts(cmp(cur)) {
                return (true, Why::Below(cur));
            }
            if n + 2 == rest.len() && comp(next).is_lower() && comp(next).accepts(cmp(next)) {
                return (true, Why::Above(next));
            }
            if comp(cur).is_lower()
                && comp(next).is_upper()
                && comp(cur).accepts(cmp(cur))
                && comp(next).accepts(cmp(next))
            {
                return (true, Why::Between(cur, next));
            }
        }
        (false, Why::Outside)
    }
}

#[derive(Debug, Clone, Copy)]
enum Why {
    Equal(usize),
    Excluded(usize),
    Below(usize),
    Above(usize),
    Between(usize, usize),
    NotExcluded,
    Outside,
}

impl fmt::Display for VersRange {
    /// Canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vers:{}/", self.scheme_name)?;
        if self.star {
            return f.write_str("*");
        }
        for (i, c) in self.constraints.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            if c.comparator != Comparator::Eq {
                f.write_str(c.comparator.sign())?;
            }
            f.write_str(&percent_encode(&c.version))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_basics() {
        let r = VersRange::parse("vers:pypi/>=1.0|<2.0").unwrap();
        assert!(!r.contains("1.0rc1").unwrap());
        assert!(r.contains("1.0.post1").unwrap());
        assert!(r.contains("2.0rc1").unwrap());
        assert!(!r.contains("2.0").unwrap());
        let r = VersRange::parse("vers:deb/<1:1.0").unwrap();
        assert!(r.contains("2.0").unwrap());
        let r = VersRange::parse("vers:npm/<1.0.0|>=2.0.0|<3.0.0").unwrap();
        assert!(r.contains("0.5.0").unwrap());
        assert!(!r.contains("1.5.0").unwrap());
        assert!(r.contains("2.5.0").unwrap());
        assert!(!r.contains("3.0.0").unwrap());
        let r = VersRange::parse("vers:npm/!=1.0.0").unwrap();
        assert!(r.contains("1.0.1").unwrap());
        assert!(!r.contains("1.0.0").unwrap());
        let r = VersRange::parse("vers:foo/1.0").unwrap();
        assert!(r.contains("1.0").is_err());
        assert_eq!(r.explain("1.0").verdict, Verdict::Unknown);
    }

    #[test]
    fn explanation_text() {
        let r = VersRange::parse("vers:npm/>=1.0.0|<1.2.4").unwrap();
        let e = r.explain("1.2.3");
        assert!(e.is_affected());
        assert_eq!(
            e.to_string(),
            "1.2.3 >= 1.0.0 and < 1.2.4 in vers:npm/>=1.0.0|<1.2.4 (semver)"
        );
    }

    #[test]
    fn canonical_roundtrip() {
        let r = VersRange::parse_lenient("vers:pypi/0.0.2|>=0.0.0|0.0.1").unwrap();
        assert_eq!(r.to_string(), "vers:pypi/>=0.0.0|0.0.1|0.0.2");
        let r = VersRange::parse("vers:npm/1.0%252F0").unwrap();
        assert_eq!(r.constraints()[0].version, "1.0%2F0");
        assert_eq!(r.to_string(), "vers:npm/1.0%252F0");
    }
}
