//! PEP 440 (PyPI) versions.
//!
//! Accepted syntax (case-insensitive, surrounding whitespace ignored), with the
//! normalisations of PEP 440 §"Normalization":
//! `[v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, where
//! * pre-release spellings `alpha`, `beta`, `c`, `pre`, `preview` map to
//!   `a`, `b`, `rc`, `rc`, `rc`; `-`, `_`, `.` separators are optional and a
//!   missing number is 0;
//! * post-release spellings `post`, `rev`, `r` and the implicit `1.0-1`;
//! * `dev` releases; local labels `+ubuntu.1` with `-`/`_` read as `.`.
//!
//! Ordering (PEP 440 §"Summary of permitted suffixes and relative ordering"):
//! epoch, then release with trailing zeros ignored, then
//! `.devN` < `aN` < `bN` < `rcN` < (release) < `.postN`; a dev release of a
//! pre/post release sorts before it; local versions sort after the public
//! version, local segments compared numerically when both numeric, a numeric
//! segment above an alphanumeric one, a shorter label first.
//!
//! Strings that are not PEP 440 (legacy versions like `0.1-bulbasaur`) are
//! rejected with [`ParseError`]; [`crate::Version`] orders them with the
//! generic scheme *below* every valid version, as `packaging`'s
//! `LegacyVersion` used to.

use crate::num::Num;
use crate::ParseError;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Local {
    Num(Num),
    Str(Box<str>),
}

impl Ord for Local {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Local::Num(a), Local::Num(b)) => a.cmp(b),
            (Local::Num(_), Local::Str(_)) => Ordering::Greater,
            (Local::Str(_), Local::Num(_)) => Ordering::Less,
            (Local::Str(a), Local::Str(b)) => a.cmp(b),
        }
    }
}
impl PartialOrd for Local {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed PEP 440 version.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    epoch: Num,
    release: Vec<Num>,      // trailing zeros removed
    pre: Option<(u8, Num)>, // 0=a 1=b 2=rc
    post: Option<Num>,
    dev: Option<Num>,
    local: Vec<Local>,
    normalized: String,
}

struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn digits(&mut self) -> Option<&'a str> {
        let st = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i > st {
            // ASCII digits only: always valid UTF-8
            std::str::from_utf8(&self.s[st..self.i]).ok()
        } else {
            None
        }
    }
    fn sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Match one of `words` (longest listed first) at the cursor.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        for (k, w) in words.iter().enumerate() {
            let wb = w.as_bytes();
            if self.s.len() >= self.i + wb.len() && &self.s[self.i..self.i + wb.len()] == wb {
                self.i += wb.len();
                return Some(k);
            }
        }
        None
    }
}

const PRE_WORDS: [&str; 7] = ["alpha", "beta", "preview", "pre", "rc", "a", "b"];
const PRE_RANK: [u8; 7] = [0, 1, 2, 2, 2, 0, 1];
const PRE_WORDS_C: [&str; 1] = ["c"];

impl Pep440Version {
    /// Parse a PEP 440 version.
    pub fn parse(input: &str) -> Result<Pep440Version, ParseError> {
        let err = |why: &str| ParseError::new("pypi", input, why);
        let lower = input.trim().to_ascii_lowercase();
        let s = lower.as_bytes();
        let mut c = Cur { s, i: 0 };
        if c.peek() == Some(b'v') {
            c.i += 1;
        }
        // epoch or first release number
        let first = c.digits().ok_or_else(|| err("expected a release number"))?;
        let mut epoch = Num::Small(0);
        let mut release: Vec<Num> = Vec::new();
        if c.peek() == Some(b'!') {
            c.i += 1;
            epoch = Num::from_digits(first);
            release.push(Num::from_digits(
                c.digits()
                    .ok_or_else(|| err("expected a release after the epoch"))?,
            ));
        } else {
            release.push(Num::from_digits(first));
        }
        while c.peek() == Some(b'.') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
            release.push(Num::from_digits(c.digits().unwrap_or("0")));
        }
        // pre-release
        let mut pre = None;
        {
            let save = c.i;
            c.sep();
            let k = c
                .word(&PRE_WORDS)
                .map(|k| PRE_RANK[k])
                .or_else(|| c.word(&PRE_WORDS_C).map(|_| 2));
            match k {
                Some(rank) => {
                    let save2 = c.i;
                    c.sep();
                    let n = match c.digits() {
                        Some(d) => Num::from_digits(d),
                        None => {
                            c.i = save2;
                            Num::Small(0)
                        }
                    };
                    pre = Some((rank, n));
                }
                None => c.i = save,
            }
        }
        // post-release
        let mut post = None;
        {
            let save = c.i;
            if c.peek() == Some(b'-') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
                c.i += 1;
                post = c.digits().map(Num::from_digits);
            } else {
                c.sep();
                if c.word(&["post", "rev", "r"]).is_some() {
                    let save2 = c.i;
                    c.sep();
                    let n = match c.digits() {
                        Some(d) => Num::from_digits(d),
                        None => {
                            c.i = save2;
                            Num::Small(0)
                        }
                    };
                    post = Some(n);
                } else {
                    c.i = save;
                }
            }
        }
        // dev
        let mut dev = None;
        {
            let save = c.i;
            c.sep();
            if c.word(&["dev"]).is_some() {
                let save2 = c.i;
                c.sep();
                let n = match c.digits() {
                    Some(d) => Num::from_digits(d),
                    None => {
                        c.i = save2;
                        Num::Small(0)
                    }
                };
                dev = Some(n);
            } else {
                c.i = save;
            }
        }
        // local
        let mut local = Vec::new();
        if c.peek() == Some(b'+') {
            c.i += 1;
            let rest = &lower[c.i..];
            if rest.is_empty() {
                return Err(err("empty local version label"));
            }
            for seg in rest.split(['.', '-', '_']) {
                if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err("invalid local version label"));
                }
                local.push(if crate::num::is_digits(seg) {
                    Local::Num(Num::from_digits(seg))
                } else {
                    Local::Str(seg.into())
                });
            }
            c.i = s.len();
        }
        if c.i != s.len() {
            return Err(err("unexpected trailing characters"));
        }
        // normalized text (before trimming zeros)
        let mut normalized = String::new();
        if !epoch.is_zero() {
            normalized.push_str(&format!("{epoch}!"));
        }
        let rel: Vec<String> = release.iter().map(|n| n.to_string()).collect();
        normalized.push_str(&rel.join("."));
        if let Some((r, n)) = &pre {
            normalized.push_str(["a", "b", "rc"][*r as usize]);
            normalized.push_str(&n.to_string());
        }
        if let Some(n) = &post {
            normalized.push_str(&format!(".post{n}"));
        }
        if let Some(n) = &dev {
            normalized.push_str(&format!(".dev{n}"));
        }
        if !local.is_empty() {
            let l: Vec<String> = local
                .iter()
                .map(|x| match x {
                    Local::Num(n) => n.to_string(),
                    Local::Str(s) => s.to_string(),
                })
                .collect();
            normalized.push('+');
            normalized.push_str(&l.join("."));
        }
        while release.len() > 1 && release.last().is_some_and(|n| n.is_zero()) {
            release.pop();
        }
        Ok(Pep440Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
            normalized,
        })
    }

    /// The PEP 440 normalised form, e.g. `1.0-RC_1` → `1.0rc1`.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// True for dev and pre-releases.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// True when the version carries a local label.
    pub fn has_local(&self) -> bool {
        !self.local.is_empty()
    }

    // sort keys per `packaging`'s _cmpkey, encoded as (class, value)
    fn pre_key(&self) -> (i8, u8, Option<&Num>) {
        match (&self.pre, &self.post, &self.dev) {
            (None, None, Some(_)) => (-1, 0, None), // dev-only: before any pre
            (None, _, _) => (1, 0, None),           // no pre: after any pre
            (Some((r, n)), _, _) => (0, *r, Some(n)),
        }
    }
}

fn cmp_release(a: &[Num], b: &[Num]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let z = Num::Small(0);
        let o = a.get(i).unwrap_or(&z).cmp(b.get(i).unwrap_or(&z));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

impl Ord for Pep440Version {
    fn cmp(&self, o: &Self) -> Ordering {
        self.epoch
            .cmp(&o.epoch)
            .then_with(|| cmp_release(&self.release, &o.release))
            .then_with(|| self.pre_key().cmp(&o.pre_key()))
            .then_with(|| match (&self.post, &o.post) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| match (&self.dev, &o.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| {
                // no local < any local; segment-wise, shorter first
                for (x, y) in self.local.iter().zip(o.local.iter()) {
                    let r = x.cmp(y);
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                self.local.len().cmp(&o.local.len())
            })
    }
}
impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pep440Version {}

#[cfg(test)]
mod tests {
    use super::*;
    fn p(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap()
    }

    #[test]
    fn traps() {
        assert!(p("1.0rc1") < p("1.0"));
        assert!(p("1.0.post1") > p("1.0"));
        assert!(p("1.0.dev1") < p("1.0a1"));
        assert!(p("1.0a1.dev1") < p("1.0a1"));
        assert!(p("1.0.post1.dev1") < p("1.0.post1"));
        assert!(p("1.0.post1.dev1") > p("1.0"));
        assert!(p("1!0.1") > p("2.0"));
        assert!(p("1.0+local") > p("1.0"));
        assert_eq!(p("1.0"), p("1.0.0"));
        assert_eq!(p("1.0-RC_1"), p("1.0rc1"));
        assert_eq!(p("1.0-1"), p("1.0.post1"));
        assert_eq!(p("1.0.rev"), p("1.0.post0"));
        assert_eq!(p("v1.0PREVIEW2").normalized(), "1.0rc2");
        assert!(Pep440Version::parse("0.1-bulbasaur").is_err());
        assert!(Pep440Version::parse("1.0+").is_err());
    }
}
