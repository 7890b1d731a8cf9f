//! The generic scheme for C libraries, firmware and anything without a
//! package-manager ordering (`pkg:generic/…`, `pkg:github/…`, NVD CPE versions).
//!
//! Rules (also in the crate README):
//!
//! 1. Surrounding whitespace is trimmed and letters are lower-cased.
//! 2. A leading `v`, `r`, `rel`, `release` or `version` prefix directly followed
//!    by a digit is dropped (`v5.1` = `5.1`, `R2.3` = `2.3`).
//! 3. The rest is cut into tokens: runs of ASCII digits (numbers, any size) and
//!    runs of ASCII letters (words). Every other character (`.`, `-`, `_`, `+`,
//!    `~`, `:`, `/`, spaces, non-ASCII…) only separates tokens.
//! 4. Words are classified:
//!    * pre-release words sort *below* the release: `dev`/`snapshot` <
//!      `alpha` < `beta` < `pre`/`preview`/`milestone` < `rc`/`cr`;
//!      the single letters `a`, `b`, `m` count as alpha/beta/milestone only
//!      when digits follow them directly (`1.0a1`, `2.0b2`);
//!    * `final`, `ga`, `release`, `stable` are dropped (they mean "the release");
//!    * every other word (`p`, `pl`, `patch`, `sp`, a lone letter as in
//!      OpenSSL's `1.0.2k`…) is a post-release word and sorts *above* the
//!      release, words compared by byte order.
//! 5. In every run of consecutive numbers, trailing zeros are dropped, so
//!    `5.1` = `5.1.0` and `1.0rc1` = `1rc1`.
//! 6. Token lists are compared left to right. At one position:
//!    pre-release word < end of version < post-release word < number.
//!    So `1.0rc1 < 1.0 < 1.0a < 1.0p1 < 1.0.1`, `2.4.10 < 2.4.10-p1`,
//!    `1.2.3a < 1.2.3b < 1.2.4`, and dates `2019-05-01 < 2019-12-01`.
//!
//! The scheme is total: every string parses. The empty string equals `0`.

use crate::num::Num;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// Pre-release word: (rank, word).
    Pre(u8, Box<str>),
    /// Post-release word.
    Post(Box<str>),
    Num(Num),
}

impl Tok {
    fn class(&self) -> u8 {
        match self {
            Tok::Pre(..) => 0,
            // 1 is "end of version"
            Tok::Post(_) => 2,
            Tok::Num(_) => 3,
        }
    }
}

const END_CLASS: u8 = 1;

impl Ord for Tok {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Tok::Pre(ra, wa), Tok::Pre(rb, wb)) => ra.cmp(rb).then_with(|| wa.cmp(wb)),
            (Tok::Post(a), Tok::Post(b)) => a.cmp(b),
            (Tok::Num(a), Tok::Num(b)) => a.cmp(b),
            _ => self.class().cmp(&other.class()),
        }
    }
}
impl PartialOrd for Tok {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A version under the generic scheme. Never fails to parse.
#[derive(Debug, Clone)]
pub struct GenericVersion {
    toks: Vec<Tok>,
}

fn pre_rank(word: &str, digits_follow: bool) -> Option<u8> {
    match word {
        "dev" | "snapshot" => Some(0),
        "alpha" => Some(1),
        "beta" => Some(2),
        "pre" | "preview" | "milestone" => Some(3),
        "rc" | "cr" => Some(4),
        "a" if digits_follow => Some(1),
        "b" if digits_follow => Some(2),
        "m" if digits_follow => Some(3),
        _ => None,
    }
}

fn strip_prefix(s: &str) -> &str {
    for p in ["version", "release", "rel", "v", "r"] {
        if s.len() > p.len()
            && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            && s.as_bytes()[p.len()].is_ascii_digit()
        {
            return &s[p.len()..];
        }
    }
    s
}

impl GenericVersion {
    /// Parse any string (total).
    pub fn parse(input: &str) -> GenericVersion {
        let s = strip_prefix(input.trim());
        let b = s.as_bytes();
        let mut toks: Vec<Tok> = Vec::new();
        let mut run_start = 0usize; // index in toks where the current numeric run starts
        let mut i = 0;
        let close_run = |toks: &mut Vec<Tok>, run_start: usize| {
            while toks.len() > run_start {
                match toks.last() {
                    Some(Tok::Num(n)) if n.is_zero() => {
                        toks.pop();
                    }
                    _ => break,
                }
            }
        };
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_digit() {
                let st = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                toks.push(Tok::Num(Num::from_digits(&s[st..i])));
            } else if c.is_ascii_alphabetic() {
                let st = i;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = s[st..i].to_ascii_lowercase();
                let digits_follow = i < b.len() && b[i].is_ascii_digit();
                // a word ends the current numeric run
                close_run(&mut toks, run_start);
                match word.as_str() {
                    "final" | "ga" | "release" | "stable" => {}
                    w => match pre_rank(w, digits_follow) {
                        Some(r) => toks.push(Tok::Pre(r, w.into())),
                        None => toks.push(Tok::Post(w.into())),
                    },
                }
                run_start = toks.len();
            } else {
                i += 1;
            }
        }
        close_run(&mut toks, run_start);
        GenericVersion { toks }
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.toks.len().max(other.toks.len());
        for i in 0..n {
            let o = match (self.toks.get(i), other.toks.get(i)) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(a), None) => a.class().cmp(&END_CLASS),
                (None, Some(b)) => END_CLASS.cmp(&b.class()),
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GenericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GenericVersion {}

/// Compare two strings under the generic scheme.
pub fn compare(a: &str, b: &str) -> Ordering {
    GenericVersion::parse(a).cmp(&GenericVersion::parse(b))
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn firmware_and_c_versions() {
        let asc = [
            "0",
            "1.0rc1",
            "1.0",
            "1.0a",
            "1.0p1",
            "1.0.1",
            "1.2.3",
            "1.2.3a",
            "1.2.3b",
            "1.2.4",
            "2.4.10",
            "2.4.10-p1",
            "2.4.10-p2",
            "2.4.11",
            "5.1",
            "5.1.0.1234",
            "v5.2",
            "R6.0",
            "2019-05-01",
            "2019-12-01",
        ];
        for w in asc.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
        assert_eq!(compare("5.1", "5.1.0"), Equal);
        assert_eq!(compare("v5.1", "5.1"), Equal);
        assert_eq!(compare("R2.3", "2.3"), Equal);
        assert_eq!(compare("1.0-final", "1.0"), Equal);
        assert_eq!(compare("1.2.9", "1.2.10"), Less);
        assert_eq!(compare("1.0.2k", "1.0.2l"), Less);
        assert_eq!(compare("1.0-beta", "1.0-alpha"), Greater);
        assert_eq!(compare("", "0"), Equal);
    }
}
