//! Arbitrary-length decimal comparison helpers.
//!
//! Versions in the wild carry numbers far larger than `u64`
//! (e.g. `999999999999999999999999999991`), so numeric components are kept as
//! digit strings and compared by value without ever overflowing.

use std::cmp::Ordering;

/// Strip leading ASCII zeros, keeping the empty string for "0" / "".
#[inline]
pub(crate) fn trim_zeros(s: &str) -> &str {
    s.trim_start_matches('0')
}

/// Compare two ASCII digit strings by numeric value. Empty strings compare as 0.
#[inline]
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = trim_zeros(a);
    let b = trim_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// True when `s` is non-empty and made only of ASCII digits.
#[inline]
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers() {
        assert_eq!(
            cmp_digits(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
        assert_eq!(cmp_digits("0010", "10"), Ordering::Equal);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(cmp_digits("9", "10"), Ordering::Less);
        assert!(!is_digits(""));
    }
}

/// A non-negative integer of any size, compared by value.
///
/// Values that fit in `u64` are stored inline; longer ones keep their
/// (zero-trimmed) digits. A `Big` is always larger than any `Small`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Num {
    Small(u64),
    Big(Box<str>),
}

impl Num {
    /// Build from an ASCII digit string (caller guarantees digits only; empty = 0).
    pub(crate) fn from_digits(s: &str) -> Num {
        let t = trim_zeros(s);
        if t.len() <= 19 {
            // 19 digits always fit in u64.
            let mut v: u64 = 0;
            for b in t.bytes() {
                v = v * 10 + u64::from(b - b'0');
            }
            Num::Small(v)
        } else {
            Num::Big(t.into())
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Num::Small(0))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            (Num::Big(a), Num::Big(b)) => cmp_digits(a, b),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Small(v) => write!(f, "{v}"),
            Num::Big(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod num_tests {
    use super::*;

    #[test]
    fn num_order() {
        let a = Num::from_digits("18446744073709551615");
        let b = Num::from_digits("9999999999999999999");
        assert!(a > b);
        assert_eq!(Num::from_digits("000"), Num::Small(0));
        assert!(Num::from_digits("0000000000000000000000001") == Num::Small(1));
    }
}
