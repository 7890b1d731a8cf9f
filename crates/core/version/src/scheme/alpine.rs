//! Alpine Linux (apk) package versions; also used for Wolfi / Chainguard.
//!
//! Grammar (Gentoo-like, as in apk-tools):
//! `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`.
//! Tokens, in the order they may appear, with their type rank:
//! initial number (0), `.`number (1), a lower-case letter (2), `_`suffix (3),
//! suffix number (4), `-r` revision number (5), `~` commit hash (6),
//! end (7), invalid (8).
//!
//! Comparison walks both token lists:
//! * same type: numbers compare numerically, except that a `.`number
//!   with a leading zero on either side compares as a string (so `1.05 < 1.5`);
//!   letters by byte; suffixes by rank `_alpha < _beta < _pre < _rc <`
//!   (none) `< _cvs < _svn < _git < _hg < _p`; hashes by bytes;
//! * at the first difference in type: a pre-release suffix (`_alpha`,
//!   `_beta`, `_pre`, `_rc`) makes its side older; otherwise the side with
//!   the *higher* type rank is older, so `1.2 < 1.2.1`, `1.2 < 1.2a`,
//!   `1.2 < 1.2_p1`, `1.2_rc1 < 1.2`, `1.2-r1 > 1.2`, and an invalid
//!   tail makes its side older than any valid continuation;
//! * when both sides become invalid at the same token they are equal,
//!   except when they are invalid from the first character (no leading
//!   number, e.g. `.1`, `a`): those compare byte by byte.
//!
//! Accepted beyond the strict grammar, as in the OSV/osv.dev data: a number
//! directly after the letter (`6.6.2p1` = `6.6.2` `p` `1`), `.rN` as a
//! revision (`10.2.22.r0`), empty numbers between dots (`0..1`).
//!
//! A token becomes invalid when it is out of order (e.g. two letters in a
//! row, `.` after a suffix), an unknown suffix (`_blah`), an upper-case
//! letter, a `-` not followed by `r`, `-r` followed by a letter, or any other
//! character. Every string is accepted; [`AlpineVersion::is_valid`] tells
//! whether an invalid token occurred.

use crate::num::{cmp_digits, Num};
use std::cmp::Ordering;

const T_INITIAL: u8 = 0;
const T_DIGIT: u8 = 1;
const T_LETTER: u8 = 2;
const T_SUFFIX: u8 = 3;
const T_SUFFIX_NO: u8 = 4;
const T_REV: u8 = 5;
const T_HASH: u8 = 6;
const T_END: u8 = 7;
const T_INVALID: u8 = 8;

#[derive(Debug, Clone)]
enum Val {
    Num(Num),
    /// Digit string after `.` (kept for the leading-zero rule).
    Digits(Box<str>),
    Byte(u8),
    Suffix(i8),
    Text(Box<str>),
}

#[derive(Debug, Clone)]
struct Tok {
    ty: u8,
    val: Val,
}

/// A parsed apk version.
#[derive(Debug, Clone)]
pub struct AlpineVersion {
    toks: Vec<Tok>,
}

const SUFFIXES: [(&str, i8); 9] = [
    ("alpha", -4),
    ("beta", -3),
    ("pre", -2),
    ("rc", -1),
    ("cvs", 1),
    ("svn", 2),
    ("git", 3),
    ("hg", 4),
    ("p", 5),
];

impl AlpineVersion {
    /// Parse (total; invalid parts become an invalid token).
    pub fn parse(input: &str) -> AlpineVersion {
        let s = input.trim();
        let b = s.as_bytes();
        let mut toks = Vec::new();
        let mut i = 0;
        let digits = |i: &mut usize| {
            let st = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            &s[st..*i]
        };
        let invalid = |toks: &mut Vec<Tok>, at: usize| {
            toks.push(Tok {
                ty: T_INVALID,
                val: Val::Text(s.get(at..).unwrap_or("").into()),
            });
        };
        let d = digits(&mut i);
        if d.is_empty() {
            invalid(&mut toks, 0);
            return AlpineVersion { toks };
        }
        toks.push(Tok {
            ty: T_INITIAL,
            val: Val::Num(Num::from_digits(d)),
        });
        let mut prev = T_INITIAL;
        loop {
            if i >= b.len() {
                toks.push(Tok {
                    ty: T_END,
                    val: Val::Byte(0),
                });
                break;
            }
            let c = b[i];
            let at = i;
            let next = b.get(i + 1).copied();
            let tok = match c {
                b'a'..=b'z' if prev == T_INITIAL || prev == T_DIGIT => {
                    i += 1;
                    Some(Tok {
                        ty: T_LETTER,
                        val: Val::Byte(c),
                    })
                }
                // a number right after a letter (`6.6.2p1`)
                b'0'..=b'9' if prev == T_LETTER => {
                    let d = digits(&mut i);
                    Some(Tok {
                        ty: T_DIGIT,
                        val: Val::Digits(d.into()),
                    })
                }
                // `.rN` used instead of `-rN`
                b'.' if prev < T_REV
                    && next == Some(b'r')
                    && b.get(i + 2).is_none_or(|x| x.is_ascii_digit()) =>
                {
                    i += 2;
                    let d = digits(&mut i);
                    Some(Tok {
                        ty: T_REV,
                        val: Val::Num(Num::from_digits(d)),
                    })
                }
                b'.' if prev == T_INITIAL || prev == T_DIGIT => {
                    i += 1;
                    let d = digits(&mut i);
                    // `..` and a trailing `.` are tolerated (empty number); `.x` is not
                    if d.is_empty() && i < b.len() && b[i] != b'.' {
                        None
                    } else {
                        Some(Tok {
                            ty: T_DIGIT,
                            val: Val::Digits(d.into()),
                        })
                    }
                }
                b'_' if prev <= T_SUFFIX_NO => {
                    i += 1;
                    let st = i;
                    while i < b.len() && b[i].is_ascii_lowercase() {
                        i += 1;
                    }
                    let w = &s[st..i];
                    match SUFFIXES.iter().find(|(n, _)| *n == w) {
                        Some((_, r)) => {
                            toks.push(Tok {
                                ty: T_SUFFIX,
                                val: Val::Suffix(*r),
                            });
                            let d = digits(&mut i);
                            if d.is_empty() {
                                prev = T_SUFFIX;
                                continue;
                            }
                            Some(Tok {
                                ty: T_SUFFIX_NO,
                                val: Val::Num(Num::from_digits(d)),
                            })
                        }
                        None => None,
                    }
                }
                b'~' if prev < T_HASH => {
                    i += 1;
                    let st = i;
                    while i < b.len() && b[i].is_ascii_hexdigit() && !b[i].is_ascii_uppercase() {
                        i += 1;
                    }
                    if i == st {
                        None
                    } else {
                        Some(Tok {
                            ty: T_HASH,
                            val: Val::Text(s[st..i].into()),
                        })
                    }
                }
                // `-rN`; `-r` directly followed by a letter is invalid
                b'-' if prev < T_REV
                    && next == Some(b'r')
                    && !b.get(i + 2).is_some_and(|x| x.is_ascii_alphabetic()) =>
                {
                    i += 2;
                    let d = digits(&mut i);
                    Some(Tok {
                        ty: T_REV,
                        val: Val::Num(Num::from_digits(d)),
                    })
                }
                _ => None,
            };
            match tok {
                Some(t) => {
                    prev = t.ty;
                    toks.push(t);
                }
                None => {
                    invalid(&mut toks, at);
                    break;
                }
            }
        }
        AlpineVersion { toks }
    }

    /// True when the whole string follows the apk grammar.
    pub fn is_valid(&self) -> bool {
        !self.toks.iter().any(|t| t.ty == T_INVALID)
    }
}

fn val_cmp(ty: u8, a: &Val, b: &Val) -> Ordering {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.cmp(y),
        (Val::Digits(x), Val::Digits(y)) => {
            if ty == T_DIGIT && (x.starts_with('0') || y.starts_with('0')) {
                x.as_bytes().cmp(y.as_bytes())
            } else {
                cmp_digits(x, y)
            }
        }
        (Val::Byte(x), Val::Byte(y)) => x.cmp(y),
        (Val::Suffix(x), Val::Suffix(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        // same token type always carries the same value kind
        _ => Ordering::Equal,
    }
}

fn is_pre_suffix(t: &Tok) -> bool {
    t.ty == T_SUFFIX && matches!(t.val, Val::Suffix(r) if r < 0)
}

impl Ord for AlpineVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        for (a, b) in self.toks.iter().zip(o.toks.iter()) {
            if a.ty != b.ty {
                if is_pre_suffix(a) {
                    return Ordering::Less;
                }
                if is_pre_suffix(b) {
                    return Ordering::Greater;
                }
                return b.ty.cmp(&a.ty);
            }
            if a.ty == T_END {
                return Ordering::Equal;
            }
            if a.ty == T_INVALID {
                // invalid from the first character: plain byte order;
                // invalid after a common valid prefix: equal (apk stops there)
                return if std::ptr::eq(a, &self.toks[0]) {
                    val_cmp(a.ty, &a.val, &b.val)
                } else {
                    Ordering::Equal
                };
            }
            let r = val_cmp(a.ty, &a.val, &b.val);
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for AlpineVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for AlpineVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for AlpineVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn a(s: &str) -> AlpineVersion {
        AlpineVersion::parse(s)
    }
    #[test]
    fn apk_basics() {
        let asc = [
            "1.2_alpha1",
            "1.2_beta",
            "1.2_pre1",
            "1.2_rc1",
            "1.2",
            "1.2-r1",
            "1.2_cvs1",
            "1.2_p1",
            "1.2a",
            "1.2.1",
            "1.10",
        ];
        for w in asc.windows(2) {
            assert!(a(w[0]) < a(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(a("1-r1"), a("1-r01"));
        assert!(a("1.2.0A") < a("1.2.0d"));
        assert!(!a("1.2.0A").is_valid());
        assert!(a("6.3_p20220416-r0").is_valid());
    }
}
