//! CPE 2.3 formatted strings (NISTIR 7695 §6.2): `cpe:2.3:part:vendor:product:version:update:
//! edition:language:sw_edition:target_sw:target_hw:other`.
//!
//! Each attribute is `*` (ANY), `-` (NA) or a value made of ASCII letters, digits, `-`, `.`, `_`
//! and backslash-escaped punctuation, optionally with unescaped `*` (once) or `?` (a run) at the
//! start and/or end as wildcards. The language attribute must be an RFC 5646 tag such as `en` or
//! `en-us`.

use std::fmt;
use std::str::FromStr;

/// Names of the eleven attributes after `cpe:2.3:`, in order.
pub const ATTRIBUTES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

/// Why a CPE 2.3 formatted string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeError {
    #[error("a CPE 2.3 formatted string must start with 'cpe:2.3:'")]
    BadPrefix,
    #[error("a CPE 2.3 formatted string has 13 colon-separated components, found {0}")]
    WrongComponentCount(usize),
    #[error("invalid part '{0}': must be 'a', 'o', 'h', '*' or '-'")]
    InvalidPart(String),
    #[error("invalid {attribute} value '{value}': {reason}")]
    InvalidValue {
        attribute: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// One attribute value in logical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CpeValue<'a> {
    /// `*`
    Any,
    /// `-`
    NotApplicable,
    /// A value, still in its escaped formatted-string form (e.g. `big\$money`).
    Value(&'a str),
}

/// A validated CPE 2.3 formatted string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpe23 {
    /// The eleven attribute strings as written (escaped form).
    attrs: [String; 11],
}

fn split_unescaped(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b':' => {
                out.push(&s[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push(&s[start.min(s.len())..]);
    out
}

const ESCAPABLE: &[u8] = b"\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~-.";

fn check_value(attribute: &'static str, v: &str) -> Result<(), CpeError> {
    let err = |reason: &'static str| CpeError::InvalidValue {
        attribute,
        value: v.to_string(),
        reason,
    };
    if v.is_empty() {
        return Err(err("empty value (use '*' or '-')"));
    }
    if v == "*" || v == "-" {
        return Ok(());
    }
    if attribute == "language" {
        let (lang, region) = match v.split_once('-') {
            Some((l, r)) => (l, Some(r)),
            None => (v, None),
        };
        let lang_ok =
            (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_alphabetic());
        let region_ok = match region {
            None => true,
            Some(r) => {
                (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
                    || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
            }
        };
        return if lang_ok && region_ok {
            Ok(())
        } else {
            Err(err(
                "language must be an RFC 5646 tag such as 'en' or 'en-us'",
            ))
        };
    }
    let b = v.as_bytes();
    // leading wildcards
    let mut i = 0;
    if b[0] == b'*' {
        i = 1;
    } else {
        while i < b.len() && b[i] == b'?' {
            i += 1;
        }
    }
    let mut body = 0usize;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            match b.get(i + 1) {
                Some(n) if ESCAPABLE.contains(n) => {
                    i += 2;
                    body += 1;
                }
                Some(_) => return Err(err("backslash must escape a punctuation character")),
                None => return Err(err("dangling backslash")),
            }
        } else if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_' {
            i += 1;
            body += 1;
        } else if c == b'*' || c == b'?' {
            // trailing wildcards only
            let tail = &b[i..];
            let ok = tail == b"*" || tail.iter().all(|&t| t == b'?');
            if !ok {
                return Err(err(
                    "unescaped '*' or '?' is only allowed at the start or end",
                ));
            }
            break;
        } else {
            return Err(err(
                "only letters, digits, '-', '.', '_' and backslash-escaped punctuation are allowed",
            ));
        }
    }
    if body == 0 {
        return Err(err(
            "a value needs at least one character besides wildcards",
        ));
    }
    Ok(())
}

impl Cpe23 {
    /// Parse and validate a CPE 2.3 formatted string.
    pub fn parse(input: &str) -> Result<Self, CpeError> {
        let s = input.trim();
        let comps = split_unescaped(s);
        if comps.len() < 2 || !comps[0].eq_ignore_ascii_case("cpe") || comps[1] != "2.3" {
            return Err(CpeError::BadPrefix);
        }
        if comps.len() != 13 {
            return Err(CpeError::WrongComponentCount(comps.len()));
        }
        let part = comps[2];
        if !matches!(part, "a" | "o" | "h" | "*" | "-" | "A" | "O" | "H") {
            return Err(CpeError::InvalidPart(part.to_string()));
        }
        for (idx, v) in comps[3..].iter().enumerate() {
            check_value(ATTRIBUTES[idx + 1], v)?;
        }
        let attrs: [String; 11] = std::array::from_fn(|i| {
            if i == 0 {
                comps[2].to_ascii_lowercase()
            } else {
                comps[i + 2].to_string()
            }
        });
        Ok(Cpe23 { attrs })
    }

    fn value(&self, i: usize) -> CpeValue<'_> {
        match self.attrs[i].as_str() {
            "*" => CpeValue::Any,
            "-" => CpeValue::NotApplicable,
            v => CpeValue::Value(v),
        }
    }

    /// `a` (application), `o` (operating system), `h` (hardware), or `*`/`-`.
    pub fn part(&self) -> &str {
        &self.attrs[0]
    }
    pub fn vendor(&self) -> CpeValue<'_> {
        self.value(1)
    }
    pub fn product(&self) -> CpeValue<'_> {
        self.value(2)
    }
    pub fn version(&self) -> CpeValue<'_> {
        self.value(3)
    }
    pub fn update(&self) -> CpeValue<'_> {
        self.value(4)
    }
    /// Attribute by name (see [`ATTRIBUTES`]); `None` for an unknown name.
    pub fn attribute(&self, name: &str) -> Option<CpeValue<'_>> {
        ATTRIBUTES
            .iter()
            .position(|a| *a == name)
            .map(|i| self.value(i))
    }
    /// Vendor with escapes removed, `None` for `*`/`-`.
    pub fn vendor_unescaped(&self) -> Option<String> {
        Self::unescape_value(self.vendor())
    }
    /// Product with escapes removed, `None` for `*`/`-`.
    pub fn product_unescaped(&self) -> Option<String> {
        Self::unescape_value(self.product())
    }
    /// Version with escapes removed, `None` for `*`/`-`.
    pub fn version_unescaped(&self) -> Option<String> {
        Self::unescape_value(self.version())
    }

    fn unescape_value(v: CpeValue<'_>) -> Option<String> {
        match v {
            CpeValue::Value(s) => Some(unescape(s)),
            _ => None,
        }
    }
}

/// Remove formatted-string backslash escapes (`big\$money` → `big$money`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Cpe23 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cpe:2.3")?;
        for a in &self.attrs {
            f.write_str(":")?;
            f.write_str(a)?;
        }
        Ok(())
    }
}

impl FromStr for Cpe23 {
    type Err = CpeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cpe23::parse(s)
    }
}

impl serde::Serialize for Cpe23 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Cpe23 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cpe23::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cpes() {
        for s in [
            "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_10:1909:*:*:*:*:*:x64:*",
            "cpe:2.3:h:qualcomm:qca6174a:-:*:*:*:*:*:*:*",
            "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
            "cpe:2.3:a:foo\\$bar:big\\:money:1.0*:*:en-us:*:*:*:*:*",
            "cpe:2.3:a:vendor:prod:??1:*:*:*:*:*:*:*",
        ] {
            let c = Cpe23::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.to_string(), s);
        }
        let c = Cpe23::parse("cpe:2.3:a:foo\\$bar:big\\:money:1.0:*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.vendor(), CpeValue::Value("foo\\$bar"));
        assert_eq!(c.vendor_unescaped().as_deref(), Some("foo$bar"));
        assert_eq!(c.product_unescaped().as_deref(), Some("big:money"));
        assert_eq!(c.version_unescaped().as_deref(), Some("1.0"));
        assert_eq!(c.update(), CpeValue::Any);
        assert_eq!(c.part(), "a");
        assert_eq!(c.attribute("target_hw"), Some(CpeValue::Any));
    }

    #[test]
    fn invalid_cpes() {
        type Check = fn(&CpeError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("cpe:/a:openssl:openssl:1.0", |e| {
                matches!(e, CpeError::BadPrefix)
            }),
            ("cpe:2.3:a:openssl:openssl:1.0", |e| {
                matches!(e, CpeError::WrongComponentCount(6))
            }),
            ("cpe:2.3:x:openssl:openssl:1.0:*:*:*:*:*:*:*", |e| {
                matches!(e, CpeError::InvalidPart(_))
            }),
            ("cpe:2.3:a:open ssl:openssl:1.0:*:*:*:*:*:*:*", |e| {
                matches!(
                    e,
                    CpeError::InvalidValue {
                        attribute: "vendor",
                        ..
                    }
                )
            }),
            ("cpe:2.3:a:openssl:open*ssl:1.0:*:*:*:*:*:*:*", |e| {
                matches!(
                    e,
                    CpeError::InvalidValue {
                        attribute: "product",
                        ..
                    }
                )
            }),
            ("cpe:2.3:a:openssl:openssl::*:*:*:*:*:*:*", |e| {
                matches!(
                    e,
                    CpeError::InvalidValue {
                        attribute: "version",
                        ..
                    }
                )
            }),
            ("cpe:2.3:a:openssl:openssl:1:*:*:english:*:*:*:*", |e| {
                matches!(
                    e,
                    CpeError::InvalidValue {
                        attribute: "language",
                        ..
                    }
                )
            }),
            ("cpe:2.3:a:openssl:openssl:1\\:*:*:*:*:*:*:*", |e| {
                matches!(e, CpeError::WrongComponentCount(12))
            }),
        ];
        for (s, check) in cases {
            let e = Cpe23::parse(s).expect_err(s);
            assert!(check(&e), "{s}: unexpected {e:?}");
        }
    }
}
