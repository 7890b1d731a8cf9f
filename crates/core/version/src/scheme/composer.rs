//! Packagist / Composer versions, ordered like PHP's `version_compare()` on
//! Composer-normalised strings.
//!
//! Normalisation: surrounding whitespace trimmed, a leading `v`/`V` dropped.
//! Like PHP, special forms are case-sensitive (`RC` and `rc` are both known,
//! `ALPHA`/`BETA` are unknown words). Tokenisation: `.`, `-`, `_`, `+` and any other
//! character that is not a letter, digit or `#` separate tokens, and a change
//! between digits and non-digits also starts a new token (`1.0rc1` →
//! `1 0 rc 1`). Tokens compare left to right:
//! * two numbers: numerically (any size);
//! * two words: by their special-form rank, found by prefix:
//!   any unknown word (-1) < `dev` (0) < `alpha`/`a` (1) < `beta`/`b` (2) <
//!   `rc`/`RC` (3) < `#` (4) < `pl`/`p` (5) (so `patch` = `pl`);
//! * a number against a word: PHP treats the number as `#` (rank 4); here a
//!   number sorts just *above* `#` and below `pl`/`p`.
//!
//! When one side runs out, each further token of the longer side is compared
//! with an implicit `#`: a number makes it greater; a word compares by rank
//! (`1.0 < 1.0pl1`, `1.0rc1 < 1.0`, `1.0.0 > 1.0`). Every string is accepted.
//!
//! Deviation from PHP, on purpose: PHP's `version_compare` is not
//! transitive around a literal `#` (`1.2.3.# == 1.2.3`, `1.2.3.# == 1.2.3.1`
//! but `1.2.3 < 1.2.3.1`). A total order cannot keep all three, so a number
//! is ranked strictly above `#` and `1.2.3.# < 1.2.3.1`.

use crate::num::Num;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num(Num),
    /// Special-form rank of a word.
    Word(i8),
}

const HASH_RANK: i8 = 4;

fn rank(w: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    for (f, r) in FORMS {
        if w.starts_with(f) {
            return r;
        }
    }
    -1
}

/// A parsed Composer version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    toks: Vec<Tok>,
}

impl ComposerVersion {
    /// Parse (total).
    pub fn parse(input: &str) -> ComposerVersion {
        let s = input.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let b = s.as_bytes();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_digit() {
                let st = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                toks.push(Tok::Num(Num::from_digits(&s[st..i])));
            } else if c.is_ascii_alphabetic() || c == b'#' {
                let st = i;
                while i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'#') {
                    i += 1;
                }
                toks.push(Tok::Word(rank(&s[st..i])));
            } else {
                i += 1;
            }
        }
        ComposerVersion { toks }
    }
}

fn tok_cmp(a: &Tok, b: &Tok) -> Ordering {
    match (a, b) {
        (Tok::Num(x), Tok::Num(y)) => x.cmp(y),
        (Tok::Word(x), Tok::Word(y)) => x.cmp(y),
        // A number sits between `#` and `pl`.
        (Tok::Num(_), Tok::Word(y)) => {
            if *y <= HASH_RANK {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Tok::Word(_), Tok::Num(_)) => tok_cmp(b, a).reverse(),
    }
}

/// Compare a leftover token with the implicit `#`.
fn tail_cmp(t: &Tok) -> Ordering {
    tok_cmp(t, &Tok::Word(HASH_RANK))
}

impl Ord for ComposerVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        let n = self.toks.len().max(o.toks.len());
        for i in 0..n {
            let r = match (self.toks.get(i), o.toks.get(i)) {
                (Some(a), Some(b)) => tok_cmp(a, b),
                (Some(a), None) => tail_cmp(a),
                (None, Some(b)) => tail_cmp(b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ComposerVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn c(s: &str) -> ComposerVersion {
        ComposerVersion::parse(s)
    }
    #[test]
    fn php_order() {
        let asc = [
            "1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0.1", "1.0pl1",
        ];
        for w in asc.windows(2) {
            assert!(c(w[0]) < c(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(c("1.0rc1"), c("1.0RC1"));
        assert_eq!(c("v1.0"), c("1.0"));
        assert!(c("1.0.0") > c("1.0"));
        assert!(c("dev-main") < c("0.1"));
    }
}
