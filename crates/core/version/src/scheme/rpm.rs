//! RPM versions (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia, openEuler…).
//!
//! `[epoch:]version[-release]`. The epoch is the text before the first `:`
//! (missing = `0`), the release the text after the last `-` of the rest.
//! Epoch, version and release are each compared with `rpmvercmp`:
//! * characters other than ASCII letters, digits, `~` and `^` only separate
//!   segments (so `1.0` = `1_0` and non-ASCII text is ignored);
//! * `~` sorts before everything, even the end (`1.0~rc1 < 1.0`);
//! * `^` sorts after the end but before any other segment
//!   (`1.0 < 1.0^git1 < 1.0.1`);
//! * digit segments compare numerically (leading zeros ignored, any size)
//!   and are newer than letter segments; letter segments compare by bytes;
//! * when one side runs out, the side with segments left is newer.
//!
//! A version without a release sorts before the same version with any
//! release (`1 < 1-0`, matching the OSV/osv-scalibr vectors; rpm itself
//! skips the release comparison in dependency matching). Epochs that are not
//! numeric (rare, broken data) compare with `rpmvercmp` too. Every string is
//! accepted (the algorithm is total).

use crate::num::cmp_digits;
use std::cmp::Ordering;

/// A parsed RPM EVR.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: Box<str>,
    version: Box<str>,
    release: Option<Box<str>>,
}

impl RpmVersion {
    /// Parse (total).
    pub fn parse(input: &str) -> RpmVersion {
        let s = input.trim();
        let (epoch, rest) = match s.split_once(':') {
            Some((e, r)) if !e.is_empty() => (e, r),
            Some((_, r)) => ("0", r),
            None => ("0", s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.into())),
            None => (rest, None),
        };
        RpmVersion {
            epoch: epoch.into(),
            version: version.into(),
            release,
        }
    }
}

/// `rpmvercmp` on two strings.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let a = a.as_bytes();
    let b = b.as_bytes();
    let (mut i, mut j) = (0usize, 0usize);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let ca = a.get(i).copied();
        let cb = b.get(j).copied();
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(cb)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let run = |s: &[u8], mut k: usize| {
            while k < s.len()
                && (if numeric {
                    s[k].is_ascii_digit()
                } else {
                    s[k].is_ascii_alphabetic()
                })
            {
                k += 1;
            }
            k
        };
        let ei = run(a, i);
        let ej = run(b, j);
        if ej == j {
            // segments of different types: numeric is newer
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let _ = cb;
        let sa = &a[i..ei];
        let sb = &b[j..ej];
        let o = if numeric {
            cmp_digits(
                std::str::from_utf8(sa).unwrap_or(""),
                std::str::from_utf8(sb).unwrap_or(""),
            )
        } else {
            sa.cmp(sb)
        };
        if o != Ordering::Equal {
            return o;
        }
        i = ei;
        j = ej;
    }
    let ra = i >= a.len();
    let rb = j >= b.len();
    match (ra, rb) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        let e = if crate::num::is_digits(&self.epoch) && crate::num::is_digits(&o.epoch) {
            cmp_digits(&self.epoch, &o.epoch)
        } else {
            rpmvercmp(&self.epoch, &o.epoch)
        };
        e.then_with(|| rpmvercmp(&self.version, &o.version))
            .then_with(|| match (&self.release, &o.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a, b),
            })
    }
}
impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for RpmVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn r(s: &str) -> RpmVersion {
        RpmVersion::parse(s)
    }

    #[test]
    fn tilde_and_caret() {
        assert!(r("1.0~rc1") < r("1.0"));
        assert!(r("1.0~rc1") < r("1.0~rc2"));
        assert!(r("1.0~rc1~git1") < r("1.0~rc1"));
        assert!(r("1.0") < r("1.0^git1"));
        assert!(r("1.0^git1") < r("1.0.1"));
        assert!(r("1.0^git1") < r("1.0^git2"));
        assert!(r("1.0~rc1^git1") > r("1.0~rc1"));
        assert!(r("1:1.0") > r("2.0"));
        assert!(r("1.0-1.el8") < r("1.0-2.el8"));
        assert_eq!(r("2_0"), r("2.0"));
        assert_eq!(r("10.0001"), r("10.1"));
        assert!(r("2.0.1") < r("2.0.1a"));
        assert!(r("6.0") < r("6.0.rc1"));
    }
}
