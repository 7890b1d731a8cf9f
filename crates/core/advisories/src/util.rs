//! Shared helpers: decompression with limits, JSON record iteration, small string helpers.

use crate::diag::{Diags, Error, ParseOptions, Result};
use crate::timefmt::parse_timestamp;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::io::Read;
use time::OffsetDateTime;

pub(crate) fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(b)
}

pub(crate) fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

/// Gunzip when the input is gzip (by magic bytes), within `limits.max_total_uncompressed`.
pub(crate) fn maybe_gunzip<'a>(bytes: &'a [u8], opts: &ParseOptions) -> Result<Cow<'a, [u8]>> {
    if !is_gzip(bytes) {
        return Ok(Cow::Borrowed(bytes));
    }
    let cap = opts.limits.max_total_uncompressed;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(6).min(cap as usize));
    let dec = flate2::read::MultiGzDecoder::new(bytes);
    dec.take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Error::unreadable(opts, format!("gzip: {e}")))?;
    if out.len() as u64 > cap {
        return Err(Error::ArchiveRefused {
            place: opts.place(),
            message: format!("gzip stream expands beyond the {cap}-byte limit"),
        });
    }
    Ok(Cow::Owned(out))
}

/// Parse the whole document; failure is an [`Error::Unreadable`] naming line and column.
pub(crate) fn parse_top<'a, T: serde::Deserialize<'a>>(
    bytes: &'a [u8],
    opts: &ParseOptions,
) -> Result<T> {
    serde_json::from_slice(strip_bom(bytes))
        .map_err(|e| Error::unreadable(opts, format!("JSON: {e}")))
}

/// Deserialize one raw record; on failure push a diagnostic at `pointer` and return `None`.
pub(crate) fn record<T: DeserializeOwned>(
    raw: &RawValue,
    pointer: &str,
    diags: &mut Diags<'_>,
) -> Result<Option<T>> {
    match serde_json::from_str::<T>(raw.get()) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            diags.ptr(pointer, format!("malformed record: {e}"))?;
            Ok(None)
        }
    }
}

/// Parse a timestamp field; an unparseable one yields a diagnostic and `None`.
pub(crate) fn ts(
    value: Option<&str>,
    pointer: impl FnOnce() -> String,
    diags: &mut Diags<'_>,
) -> Result<Option<OffsetDateTime>> {
    match value {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => match parse_timestamp(s) {
            Some(t) => Ok(Some(t)),
            None => {
                diags.ptr(pointer(), format!("unrecognised timestamp {s:?}"))?;
                Ok(None)
            }
        },
    }
}

pub(crate) fn push_unique(v: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Normalise a CWE spelling (`CWE-79`, `cwe-79`, `79`); placeholders (`NVD-CWE-Other`) give `None`.
pub(crate) fn cwe(s: &str) -> Option<String> {
    let t = s.trim();
    let rest = if t.len() >= 4 && t[..4].eq_ignore_ascii_case("CWE-") {
        &t[4..]
    } else {
        t
    };
    if !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_digit()) {
        Some(format!("CWE-{rest}"))
    } else {
        None
    }
}

/// Look like a CVE id? (`CVE-YYYY-NNNN+`)
pub fn is_cve_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 13
        && b[..4].eq_ignore_ascii_case(b"CVE-")
        && b[4..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'-'
        && b[9..].iter().all(u8::is_ascii_digit)
}

/// A JSON number or a string holding one (feeds are inconsistent about this).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LooseNum(pub Option<f64>);

impl<'de> serde::Deserialize<'de> for LooseNum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum N {
            F(f64),
            S(String),
            Null(()),
        }
        Ok(match N::deserialize(d)? {
            N::F(f) => LooseNum(Some(f)),
            N::S(s) => LooseNum(s.trim().parse().ok()),
            N::Null(()) => LooseNum(None),
        })
    }
}

/// First non-whitespace byte (after a BOM).
pub(crate) fn first_byte(b: &[u8]) -> Option<u8> {
    strip_bom(b)
        .iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
}

/// Map `f` over contiguous chunks of `items` on up to `available_parallelism` threads and
/// concatenate the results in input order. Small inputs run on the calling thread.
pub(crate) fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let n = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if n <= 1 || items.len() < 32 {
        return f(items);
    }
    let chunk = items.len().div_ceil(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| f(c))).collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
