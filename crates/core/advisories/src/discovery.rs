//! CSAF discovery: provider-metadata.json, ROLIE feeds, `changes.csv` / `index.txt`,
//! and SHA-512 verification of a downloaded document.

use crate::diag::{Diagnostic, Diags, Error, Location, ParseOptions, Result};
use crate::timefmt::parse_timestamp;
use crate::util;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RolieFeedRef {
    pub url: String,
    pub tlp_label: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Distribution {
    pub directory_url: Option<String>,
    pub rolie_feeds: Vec<RolieFeedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OpenPgpKeyRef {
    pub fingerprint: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProviderMetadata {
    pub canonical_url: String,
    pub last_updated: Option<String>,
    pub metadata_version: Option<String>,
    pub role: Option<String>,
    pub publisher_name: Option<String>,
    pub publisher_namespace: Option<String>,
    pub distributions: Vec<Distribution>,
    pub public_openpgp_keys: Vec<OpenPgpKeyRef>,
}

impl ProviderMetadata {
    /// Every ROLIE feed URL listed in the distributions.
    pub fn feed_urls(&self) -> Vec<&str> {
        self.distributions
            .iter()
            .flat_map(|d| d.rolie_feeds.iter().map(|f| f.url.as_str()))
            .collect()
    }
}

#[derive(Deserialize)]
struct RawPm {
    canonical_url: String,
    last_updated: Option<String>,
    metadata_version: Option<String>,
    role: Option<String>,
    publisher: Option<RawPublisher>,
    #[serde(default)]
    distributions: Vec<RawDist>,
    #[serde(default)]
    public_openpgp_keys: Vec<OpenPgpKeyRef>,
}

#[derive(Deserialize)]
struct RawPublisher {
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct RawDist {
    directory_url: Option<String>,
    rolie: Option<RawRolie>,
}

#[derive(Deserialize)]
struct RawRolie {
    #[serde(default)]
    feeds: Vec<RolieFeedRef>,
}

/// Parse a CSAF `provider-metadata.json`.
pub fn parse_provider_metadata(bytes: &[u8], opts: &ParseOptions) -> Result<ProviderMetadata> {
    let raw: RawPm = util::parse_top(bytes, opts)?;
    let (publisher_name, publisher_namespace) = match raw.publisher {
        Some(p) => (p.name, p.namespace),
        None => (None, None),
    };
    Ok(ProviderMetadata {
        canonical_url: raw.canonical_url,
        last_updated: raw.last_updated,
        metadata_version: raw.metadata_version,
        role: raw.role,
        publisher_name,
        publisher_namespace,
        distributions: raw
            .distributions
            .into_iter()
            .map(|d| Distribution {
                directory_url: d.directory_url,
                rolie_feeds: d.rolie.map(|r| r.feeds).unwrap_or_default(),
            })
            .collect(),
        public_openpgp_keys: raw.public_openpgp_keys,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RolieEntry {
    pub id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub updated: Option<String>,
    /// The CSAF document (`rel=self`, else `content.src`).
    pub document_url: Option<String>,
    /// `rel=hash` links (`.sha512`, `.sha256`).
    pub hash_urls: Vec<String>,
    /// `rel=signature` link (`.asc`).
    pub signature_url: Option<String>,
}

impl RolieEntry {
    pub fn sha512_url(&self) -> Option<&str> {
        self.hash_urls
            .iter()
            .map(String::as_str)
            .find(|u| u.ends_with(".sha512"))
    }
}

#[derive(Debug, Clone, Default)]
pub struct RolieFeed {
    pub id: String,
    pub title: Option<String>,
    pub updated: Option<String>,
    pub entries: Vec<RolieEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct RawFeedTop<'a> {
    #[serde(borrow)]
    feed: RawFeed<'a>,
}

#[derive(Deserialize)]
struct RawFeed<'a> {
    #[serde(default)]
    id: String,
    title: Option<String>,
    updated: Option<String>,
    #[serde(borrow, default)]
    entry: Vec<&'a serde_json::value::RawValue>,
}

#[derive(Deserialize)]
struct RawEntry {
    id: String,
    title: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    #[serde(default)]
    link: Vec<RawLink>,
    content: Option<RawContent>,
}

#[derive(Deserialize)]
struct RawLink {
    /// CISA's IT feed writes `ref` for `rel` on hash and signature links: accepted.
    #[serde(default, alias = "ref")]
    rel: String,
    href: String,
}

#[derive(Deserialize)]
struct RawContent {
    src: Option<String>,
}

/// Parse a ROLIE feed document (`{"feed": {"entry": [...]}}`).
pub fn parse_rolie_feed(bytes: &[u8], opts: &ParseOptions) -> Result<RolieFeed> {
    let top: RawFeedTop<'_> = util::parse_top(bytes, opts)?;
    let mut diags = Diags::new(opts);
    let mut feed = RolieFeed {
        id: top.feed.id,
        title: top.feed.title,
        updated: top.feed.updated,
        ..Default::default()
    };
    for (i, raw) in top.feed.entry.into_iter().enumerate() {
        let ptr = format!("/feed/entry/{i}");
        let Some(e) = util::record::<RawEntry>(raw, &ptr, &mut diags)? else {
            continue;
        };
        let mut entry = RolieEntry {
            id: e.id,
            title: e.title,
            published: e.published,
            updated: e.updated,
            ..Default::default()
        };
        for l in e.link {
            let rel = if l.rel.is_empty() {
                // No relation given: infer it from the usual file suffixes.
                if l.href.ends_with(".asc") {
                    "signature"
                } else if l.href.ends_with(".sha512") || l.href.ends_with(".sha256") {
                    "hash"
                } else {
                    ""
                }
            } else {
                l.rel.as_str()
            };
            match rel {
                "self" => entry.document_url = Some(l.href),
                "hash" => entry.hash_urls.push(l.href),
                "signature" => entry.signature_url = Some(l.href),
                _ => {}
            }
        }
        if entry.document_url.is_none() {
            entry.document_url = e.content.and_then(|c| c.src);
        }
        if entry.document_url.is_none() {
            diags.ptr(ptr, "entry has no document link (rel=self or content.src)")?;
        }
        feed.entries.push(entry);
    }
    feed.diagnostics = diags.list;
    Ok(feed)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEntry {
    /// Path relative to the directory holding `changes.csv`.
    pub path: String,
    pub changed: OffsetDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct ChangesList {
    pub entries: Vec<ChangeEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse a CSAF directory `changes.csv` (`"path","timestamp"` per line, newest first).
pub fn parse_changes_csv(bytes: &[u8], opts: &ParseOptions) -> Result<ChangesList> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(util::strip_bom(bytes));
    let mut diags = Diags::new(opts);
    let mut out = ChangesList::default();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let l = e.position().map_or(0, |p| p.line());
                diags.push(Location::Line(l), format!("malformed CSV row: {e}"))?;
                if matches!(
                    e.kind(),
                    csv::ErrorKind::Io(_) | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != 2 {
            diags.push(
                Location::Line(line),
                format!("expected 2 fields, found {}", rec.len()),
            )?;
            continue;
        }
        let path = rec[0].trim();
        match parse_timestamp(&rec[1]) {
            Some(t) if !path.is_empty() => out.entries.push(ChangeEntry {
                path: path.to_string(),
                changed: t,
            }),
            _ => diags.push(
                Location::Line(line),
                format!("bad entry {:?},{:?}", &rec[0], &rec[1]),
            )?,
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

/// Parse a CSAF directory `index.txt` (one relative path per line).
pub fn parse_index_txt(bytes: &[u8], opts: &ParseOptions) -> Result<Vec<String>> {
    let text = std::str::from_utf8(util::strip_bom(bytes))
        .map_err(|e| Error::unreadable(opts, format!("not UTF-8: {e}")))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Lower-case hex SHA-512 of `bytes`.
pub fn sha512_hex(bytes: &[u8]) -> String {
    let d = Sha512::digest(bytes);
    let mut s = String::with_capacity(128);
    for b in d.iter() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// Check a document against the content of its `.sha512` file (`<hex>  <filename>` or just `<hex>`).
/// When `expected_name` is given and the file names one, the names must agree too.
pub fn verify_sha512(
    document: &[u8],
    sha512_file: &[u8],
    expected_name: Option<&str>,
    opts: &ParseOptions,
) -> Result<()> {
    let text = String::from_utf8_lossy(sha512_file);
    let mut parts = text.split_whitespace();
    let want = parts
        .next()
        .ok_or_else(|| Error::Verification {
            place: opts.place(),
            message: "empty .sha512 file".into(),
        })?
        .to_ascii_lowercase();
    if want.len() != 128 || !want.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::Verification {
            place: opts.place(),
            message: format!("not a SHA-512 hex digest: {want:?}"),
        });
    }
    if let (Some(exp), Some(named)) = (expected_name, parts.next()) {
        let named = named.trim_start_matches('*');
        if named != exp {
            return Err(Error::Verification {
                place: opts.place(),
                message: format!("hash file names {named:?}, expected {exp:?}"),
            });
        }
    }
    let got = sha512_hex(document);
    if got != want {
        return Err(Error::Verification {
            place: opts.place(),
            message: format!("SHA-512 mismatch: expected {want}, computed {got}"),
        });
    }
    Ok(())
}
