//! Debian / Ubuntu package versions (Debian Policy §5.6.12).
//!
//! `[epoch:]upstream_version[-debian_revision]`: the epoch is the part before
//! the first `:` and must be a decimal number (missing = 0); the revision is
//! the part after the last `-` (missing = empty, which compares equal to
//! `0`). Epochs compare numerically; upstream and revision compare with the
//! dpkg algorithm: alternate non-digit and digit runs; non-digit runs compare
//! character by character where `~` sorts before everything (even the end of
//! the string), then the end, then letters, then all other characters (by
//! byte); digit runs compare numerically (any size).
//!
//! Rejected with [`ParseError`] (ordered by [`crate::Version`] with the generic
//! scheme below every valid version): empty strings, a non-numeric epoch, an
//! empty upstream version. An upstream version not starting with a digit is
//! accepted (dpkg only warns).

use crate::num::cmp_digits;
use crate::ParseError;
use std::cmp::Ordering;

/// A parsed Debian version.
#[derive(Debug, Clone)]
pub struct DebianVersion {
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

impl DebianVersion {
    /// Parse a Debian version.
    pub fn parse(input: &str) -> Result<DebianVersion, ParseError> {
        let s = input.trim();
        let err = |why: &str| ParseError::new("deb", input, why);
        let (epoch, rest) = match s.split_once(':') {
            Some((e, r)) => {
                if !crate::num::is_digits(e) {
                    return Err(err("epoch is not a number"));
                }
                (e, r)
            }
            None => ("0", s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err("empty upstream version"));
        }
        if s.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(err("whitespace in version"));
        }
        Ok(DebianVersion {
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

#[inline]
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // digit runs (possibly empty = 0); both slices are ASCII digits
        let da = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let db = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let o = cmp_digits(da, db);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

impl Ord for DebianVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_digits(&self.epoch, &o.epoch)
            .then_with(|| verrevcmp(&self.upstream, &o.upstream))
            .then_with(|| verrevcmp(&self.revision, &o.revision))
    }
}
impl PartialOrd for DebianVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for DebianVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for DebianVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn d(s: &str) -> DebianVersion {
        DebianVersion::parse(s).unwrap()
    }

    #[test]
    fn traps() {
        assert!(d("1:1.0") > d("2.0"));
        assert!(d("1.0~rc1") < d("1.0"));
        assert!(d("1.0~~") < d("1.0~"));
        assert!(d("1.0~") < d("1.0"));
        assert!(d("1.0") < d("1.0a"));
        assert!(d("1.0a") < d("1.0+"));
        assert!(d("1.2.3-1~deb7u1") < d("1.2.3-1"));
        assert!(d("2.7.4+reloaded2-13ubuntu1") < d("2.7.4+reloaded2-13+deb9u1"));
        assert_eq!(d("0.0.0"), d("0.0.0-0"));
        assert_eq!(d("0:1.0"), d("1.0"));
        assert!(DebianVersion::parse("a:1.0").is_err());
    }
}
