//! `feeds sync`: fetch the sources over HTTP and import what changed (issue 4).
//!
//! * **nvd**: NVD CVE API 2.0, `lastModStartDate`/`lastModEndDate` windows of at most 120 days
//!   from the last sync (or `--since`) to now, `startIndex` paging, optional API key, requests
//!   spaced by NVD's published rate limit. Each page is stored in its own transaction **together
//!   with the checkpoint** (window, next `startIndex`), so an interrupted sync resumes at the page
//!   it stopped on. The first sync without `--since` pages through everything.
//! * **osv**: each configured ecosystem's `ECOSYSTEM/all.zip`, one transaction per ecosystem.
//! * **kev**, **epss**: the catalog / the daily file, one transaction each.
//! * **cisa-csaf**: `provider-metadata.json` → every distribution: its ROLIE feeds and its
//!   directory (`changes.csv`, else `index.txt`; CSAF 2.0 §7.1.12–13) → each document, checked
//!   against its `.sha512` and, when the user configured trusted OpenPGP keys, its `.asc`
//!   signature (§7.1.18–19). A document whose hash or signature does not verify, or whose
//!   `.sha512` (or, with keys, `.asc`) is missing, is **refused**: reported, not imported, and
//!   tried again next time. Without keys the signatures are not checked, and the summary, the
//!   source's state (`feeds status`) and each run's audit event say so. The provider metadata's
//!   `public_openpgp_keys` fingerprints are compared with the configured keys. Documents are
//!   stored in batches, each with the checkpoint of what has been imported (URL → feed `updated`
//!   or `changes.csv` timestamp), so a directory sync is incremental by those timestamps.
//!
//! Retries with backoff on 429/5xx honour `Retry-After` (`postmarket-feeds`). A failed sync never
//! deletes anything: what was committed stays, and the source's state records the error.

use std::collections::BTreeMap;
use std::sync::Arc;

use postmarket_advisories::openpgp::{self, KeyRing};
use postmarket_advisories::{discovery, Kind, ParseOptions};
use postmarket_feeds::{nvd, Client, ClientConfig, FetchError};
use postmarket_model::Actor;
use postmarket_store::feeds::{FeedImport, FeedRun};
use postmarket_store::save_sync_state;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::feeds::store_output;
use crate::{App, AppError};

/// The sources `feeds sync` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncSource {
    Nvd,
    Osv,
    Kev,
    Epss,
    CisaCsaf,
}

impl SyncSource {
    pub const ALL: [SyncSource; 5] = [
        SyncSource::Nvd,
        SyncSource::Osv,
        SyncSource::Kev,
        SyncSource::Epss,
        SyncSource::CisaCsaf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nvd => "nvd",
            Self::Osv => "osv",
            Self::Kev => "kev",
            Self::Epss => "epss",
            Self::CisaCsaf => "cisa-csaf",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

pub const DEFAULT_OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
pub const DEFAULT_OSV_ECOSYSTEMS: &[&str] = &["crates.io", "PyPI", "Maven", "npm", "Go", "NuGet"];
pub const DEFAULT_KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
pub const DEFAULT_EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";
pub const DEFAULT_CSAF_URL: &str = "https://www.cisa.gov/.well-known/csaf/provider-metadata.json";

/// What to sync and from where; `None` URLs mean the public defaults.
#[derive(Debug, Clone, Default)]
pub struct SyncConfig {
    /// Empty: all sources.
    pub sources: Vec<SyncSource>,
    /// `YYYY-MM-DD` or RFC 3339.
    pub since: Option<String>,
    pub nvd_url: Option<String>,
    pub nvd_api_key: Option<String>,
    pub nvd_page_size: u32,
    pub osv_url: Option<String>,
    pub osv_ecosystems: Vec<String>,
    pub kev_url: Option<String>,
    pub epss_url: Option<String>,
    pub csaf_url: Option<String>,
    /// Armored OpenPGP public keys trusted to sign CSAF documents. Empty: signatures are not
    /// checked (and the sync says so).
    pub csaf_keys: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceSync {
    pub source: String,
    pub ok: bool,
    pub summary: String,
    pub runs: Vec<FeedRun>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub sources: Vec<SourceSync>,
    /// Refused documents and failed sources, one line each.
    pub problems: Vec<String>,
    /// A source could not be fetched (network, server): an environment failure.
    pub failed: bool,
}

fn parse_since(s: &str) -> Result<OffsetDateTime, AppError> {
    if let Some(t) = postmarket_advisories::timefmt::parse_timestamp(s) {
        return Ok(t);
    }
    Err(AppError::BadInput(format!(
        "--since {s:?}: expected a date (YYYY-MM-DD) or an RFC 3339 timestamp"
    )))
}

/// Reads the trusted CSAF signing keys; a file that holds no usable key is bad input.
fn load_keys(files: &[std::path::PathBuf]) -> Result<Option<KeyRing>, AppError> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut ring = KeyRing::new();
    for f in files {
        let shown = f.display().to_string();
        let bytes = std::fs::read(f).map_err(|e| AppError::Read {
            file: shown.clone(),
            source: e,
        })?;
        ring.add_armored(&bytes, &ParseOptions::named(&shown))
            .map_err(|e| {
                AppError::BadInput(format!(
                    "{e}; expected an ASCII-armored OpenPGP public key (--csaf-key)"
                ))
            })?;
    }
    Ok(Some(ring))
}

fn fetch_failed(e: FetchError) -> AppError {
    AppError::Internal(e.to_string())
}

async fn get(
    client: &Arc<Client>,
    url: &str,
    headers: Vec<(String, String)>,
) -> Result<Vec<u8>, AppError> {
    let client = Arc::clone(client);
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let h: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        client.get(&url, &h)
    })
    .await
    .map_err(|e| AppError::Internal(format!("fetch task failed: {e}")))?
    .map(|f| f.body)
    .map_err(fetch_failed)
}

impl App {
    /// Syncs the configured sources, one after the other; a source that fails does not stop the
    /// others.
    pub async fn sync_feeds(
        &self,
        actor: &Actor,
        cfg: &SyncConfig,
    ) -> Result<SyncReport, AppError> {
        let since = cfg.since.as_deref().map(parse_since).transpose()?;
        if cfg.nvd_page_size == 0 || cfg.nvd_page_size > nvd::MAX_PAGE {
            return Err(AppError::BadInput(format!(
                "--nvd-page-size {}: expected 1 to {}",
                cfg.nvd_page_size,
                nvd::MAX_PAGE
            )));
        }
        let keys = load_keys(&cfg.csaf_keys)?;
        let sources: Vec<SyncSource> = if cfg.sources.is_empty() {
            SyncSource::ALL.to_vec()
        } else {
            cfg.sources.clone()
        };
        let mut report = SyncReport::default();
        for source in sources {
            let mut runs = Vec::new();
            let mut problems = Vec::new();
            let result = match source {
                SyncSource::Nvd => self.sync_nvd(actor, cfg, since, &mut runs).await,
                SyncSource::Osv => self.sync_osv(actor, cfg, &mut runs).await,
                SyncSource::Kev => {
                    let url = cfg.kev_url.as_deref().unwrap_or(DEFAULT_KEV_URL);
                    self.sync_file(actor, "kev", url, Kind::Kev, &mut runs)
                        .await
                }
                SyncSource::Epss => {
                    let url = cfg.epss_url.as_deref().unwrap_or(DEFAULT_EPSS_URL);
                    self.sync_file(actor, "epss", url, Kind::Epss, &mut runs)
                        .await
                }
                SyncSource::CisaCsaf => {
                    self.sync_csaf(actor, cfg, keys.as_ref(), since, &mut runs, &mut problems)
                        .await
                }
            };
            let (added, updated): (i64, i64) = runs
                .iter()
                .fold((0, 0), |(a, u), r| (a + r.added, u + r.updated));
            let unchanged: i64 = runs.iter().map(|r| r.unchanged).sum();
            let rejected: i64 = runs.iter().map(|r| r.rejected).sum();
            let ok = result.is_ok();
            let summary = match &result {
                Ok(note) => format!(
                    "ok: added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}{note}"
                ),
                Err(e) => format!(
                    "FAILED: {e} (kept what was stored: added {added}, updated {updated}; the next sync resumes)"
                ),
            };
            if let Err(e) = result {
                report.failed = true;
                problems.push(format!("{}: sync failed: {e}", source.as_str()));
                // Remember the error; the checkpoint stays where the last committed batch left it.
                let state = self.store.sync_state(source.as_str()).await?;
                self.store
                    .set_sync_state(
                        source.as_str(),
                        state.and_then(|s| s.checkpoint).as_ref(),
                        false,
                        Some(&e.to_string()),
                    )
                    .await?;
            }
            report.problems.extend(problems);
            report.sources.push(SourceSync {
                source: source.as_str().to_string(),
                ok,
                summary,
                runs,
            });
        }
        Ok(report)
    }

    fn client(&self, min_interval: std::time::Duration) -> Arc<Client> {
        let mut c = ClientConfig::from_env();
        c.min_interval = min_interval;
        Arc::new(Client::new(c))
    }

    /// One file, one transaction (KEV, EPSS, an OSV archive).
    async fn sync_file(
        &self,
        actor: &Actor,
        source: &str,
        url: &str,
        kind: Kind,
        runs: &mut Vec<FeedRun>,
    ) -> Result<String, AppError> {
        let client = self.client(std::time::Duration::ZERO);
        let bytes = get(&client, url, Vec::new()).await?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let (_, output) =
            postmarket_advisories::parse_any(&bytes, Some(kind), &ParseOptions::named(url))
                .map_err(|e| AppError::BadInput(e.to_string()))?;
        let mut w = self.store.write(actor).await?;
        let mut import = FeedImport::start(&mut w, "sync").await?;
        let src = crate::feeds::source_of(kind).unwrap_or(source);
        let run = import.begin_run(&mut w, src, kind.as_str(), url).await?;
        import.add_file(run, url, &sha);
        import.add_rejected(run, output.diagnostics().len());
        let mut unknown = BTreeMap::new();
        store_output(&mut import, &mut w, run, output, &mut unknown).await?;
        runs.extend(import.finish(&mut w).await?);
        save_sync_state(
            w.conn(),
            source,
            Some(&json!({"sha256": sha, "url": url})),
            true,
            None,
        )
        .await?;
        w.commit().await?;
        Ok(String::new())
    }

    async fn sync_osv(
        &self,
        actor: &Actor,
        cfg: &SyncConfig,
        runs: &mut Vec<FeedRun>,
    ) -> Result<String, AppError> {
        let base = cfg
            .osv_url
            .as_deref()
            .unwrap_or(DEFAULT_OSV_URL)
            .trim_end_matches('/');
        let ecosystems: Vec<String> = if cfg.osv_ecosystems.is_empty() {
            DEFAULT_OSV_ECOSYSTEMS
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            cfg.osv_ecosystems.clone()
        };
        for eco in &ecosystems {
            let url = format!("{base}/{}/all.zip", url_segment(eco));
            self.sync_file(actor, "osv", &url, Kind::OsvZip, runs)
                .await?;
        }
        Ok(format!(" ({} ecosystem(s))", ecosystems.len()))
    }

    async fn sync_nvd(
        &self,
        actor: &Actor,
        cfg: &SyncConfig,
        since: Option<OffsetDateTime>,
        runs: &mut Vec<FeedRun>,
    ) -> Result<String, AppError> {
        let base = cfg.nvd_url.as_deref().unwrap_or(nvd::DEFAULT_URL);
        let delay = match std::env::var("POSTMARKET_NVD_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            Some(ms) => std::time::Duration::from_millis(ms),
            None => nvd::min_interval(cfg.nvd_api_key.is_some()),
        };
        let client = self.client(delay);
        let headers: Vec<(String, String)> = cfg
            .nvd_api_key
            .iter()
            .map(|k| ("apiKey".to_string(), k.clone()))
            .collect();
        let state = self.store.sync_state("nvd").await?;
        let checkpoint = state.and_then(|s| s.checkpoint).unwrap_or(json!({}));
        let parse_ts = |v: &serde_json::Value| {
            v.as_str()
                .and_then(postmarket_advisories::timefmt::parse_timestamp)
        };
        // Resume an interrupted sync unless --since asks for something else.
        let resume = checkpoint.get("in_progress").filter(|_| since.is_none());
        let (from, until, mut window_no, mut start) = match resume {
            Some(p) => (
                p.get("since").and_then(parse_ts),
                p.get("until")
                    .and_then(parse_ts)
                    .unwrap_or_else(OffsetDateTime::now_utc),
                p.get("window").and_then(|v| v.as_u64()).unwrap_or(0) as usize,
                p.get("start_index").and_then(|v| v.as_u64()).unwrap_or(0),
            ),
            None => (
                since.or_else(|| checkpoint.get("last_until").and_then(parse_ts)),
                OffsetDateTime::now_utc(),
                0,
                0,
            ),
        };
        let windows: Vec<Option<(OffsetDateTime, OffsetDateTime)>> = match from {
            Some(f) => nvd::windows(f, until).into_iter().map(Some).collect(),
            None => vec![None],
        };
        let ts = |t: Option<OffsetDateTime>| t.map(postmarket_store::feeds::format_ts);
        let mut pages = 0;
        while window_no < windows.len() {
            let window = windows[window_no];
            let url = nvd::page_url(base, window, start, cfg.nvd_page_size);
            let bytes = get(&client, &url, headers.clone()).await?;
            let page = postmarket_advisories::nvd::parse_api2(&bytes, &ParseOptions::named(&url))
                .map_err(|e| {
                AppError::Internal(format!("NVD answered something unreadable: {e}"))
            })?;
            pages += 1;
            let got = page.records.len() as u64;
            let total = page.info.total_results.unwrap_or(start + got);
            let mut next = start + page.info.results_per_page.unwrap_or(got).max(got);
            let mut next_window = window_no;
            if got == 0 || next >= total {
                next_window += 1;
                next = 0;
            }
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            let mut w = self.store.write(actor).await?;
            let mut import = FeedImport::start(&mut w, "sync").await?;
            let run = import.begin_run(&mut w, "nvd", "nvd", &url).await?;
            import.add_file(run, &url, &sha);
            import.add_rejected(run, page.diagnostics.len());
            let items = page
                .records
                .into_iter()
                .map(postmarket_store::feeds::ImportItem::new)
                .collect();
            import.records(&mut w, run, items).await?;
            runs.extend(import.finish(&mut w).await?);
            let done = next_window >= windows.len();
            let checkpoint = if done {
                json!({"last_until": ts(Some(until))})
            } else {
                json!({
                    "last_until": checkpoint.get("last_until"),
                    "in_progress": {
                        "since": ts(from),
                        "until": ts(Some(until)),
                        "window": next_window,
                        "start_index": next,
                    }
                })
            };
            save_sync_state(w.conn(), "nvd", Some(&checkpoint), done, None).await?;
            w.commit().await?;
            window_no = next_window;
            start = next;
        }
        Ok(format!(" ({pages} page(s))"))
    }

    async fn sync_csaf(
        &self,
        actor: &Actor,
        cfg: &SyncConfig,
        keys: Option<&KeyRing>,
        since: Option<OffsetDateTime>,
        runs: &mut Vec<FeedRun>,
        problems: &mut Vec<String>,
    ) -> Result<String, AppError> {
        let pm_url = cfg.csaf_url.as_deref().unwrap_or(DEFAULT_CSAF_URL);
        let client = self.client(std::time::Duration::ZERO);
        let pm_bytes = get(&client, pm_url, Vec::new()).await?;
        let pm = discovery::parse_provider_metadata(&pm_bytes, &ParseOptions::named(pm_url))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let note = match keys {
            Some(ring) => {
                check_listed_keys(pm_url, &pm, ring, problems);
                format!(
                    "CSAF documents checked against their SHA-512 and OpenPGP signatures \
                     (trusted keys {})",
                    ring.fingerprints().join(", ")
                )
            }
            None => "CSAF documents checked against their SHA-512 only: OpenPGP signatures \
                     NOT checked (no keys configured; --csaf-key or POSTMARKET_CSAF_KEYS)"
                .to_string(),
        };
        let state = self.store.sync_state("cisa-csaf").await?;
        let mut done: BTreeMap<String, String> = state
            .and_then(|s| s.checkpoint)
            .and_then(|c| c.get("documents").cloned())
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        // Every document of every distribution that is new or changed since it was imported.
        let mut todo: Vec<CsafDocRef> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for dist in &pm.distributions {
            let mut found = Vec::new();
            for feed_ref in &dist.rolie_feeds {
                let feed_url =
                    postmarket_feeds::join_url(pm_url, &feed_ref.url).map_err(fetch_failed)?;
                found.extend(rolie_documents(&client, &feed_url, problems).await?);
            }
            if let Some(dir) = &dist.directory_url {
                let dir_url = postmarket_feeds::join_url(pm_url, dir).map_err(fetch_failed)?;
                found.extend(directory_documents(&client, &dir_url, problems).await?);
            }
            for d in found {
                // A document listed by both a feed and a directory is taken from the first
                // listing only, so that its `updated` is always compared in the same form.
                if !seen.insert(d.url.clone()) || done.get(&d.url) == Some(&d.updated) {
                    continue;
                }
                let older = since.zip(parse_ts(&d.updated)).is_some_and(|(s, u)| u < s);
                if !older {
                    todo.push(d);
                }
            }
        }
        let mut refused = 0;
        let mut imported = 0;
        for batch in todo.chunks(50) {
            let mut fetched = Vec::new();
            for d in batch {
                match fetch_verified(&client, d, keys).await? {
                    Ok(doc) => fetched.push((d, doc)),
                    Err(why) => {
                        refused += 1;
                        problems.push(format!("cisa-csaf: REFUSED {why} (not imported)"));
                    }
                }
            }
            let mut w = self.store.write(actor).await?;
            let mut import = FeedImport::start(&mut w, "sync").await?;
            let run = import.begin_run(&mut w, "csaf", "csaf", pm_url).await?;
            import.set_note(run, &note);
            let mut unknown = BTreeMap::new();
            for (d, doc) in fetched {
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&doc));
                let parsed = postmarket_advisories::parse_any(
                    &doc,
                    Some(Kind::Csaf),
                    &ParseOptions::named(&d.url),
                );
                match parsed {
                    Ok((_, output)) => {
                        import.add_file(run, &d.url, &sha);
                        import.add_rejected(run, output.diagnostics().len());
                        store_output(&mut import, &mut w, run, output, &mut unknown).await?;
                        imported += 1;
                        done.insert(d.url.clone(), d.updated.clone());
                    }
                    Err(e) => {
                        refused += 1;
                        problems.push(format!("cisa-csaf: REFUSED {e}"));
                    }
                }
            }
            runs.extend(import.finish(&mut w).await?);
            save_sync_state(
                w.conn(),
                "cisa-csaf",
                Some(&json!({"documents": done, "note": note})),
                false,
                None,
            )
            .await?;
            w.commit().await?;
        }
        self.store
            .set_sync_state(
                "cisa-csaf",
                Some(&json!({"documents": done, "note": note})),
                refused == 0,
                (refused > 0).then_some("some documents were refused"),
            )
            .await?;
        Ok(format!(
            " ({imported} document(s) fetched and verified, {refused} refused; {note})"
        ))
    }
}

/// One CSAF document found through a ROLIE feed or a directory distribution.
#[derive(Debug, Clone)]
struct CsafDocRef {
    url: String,
    /// The feed entry's `updated`, or the `changes.csv` timestamp: a document is fetched again
    /// when this changes.
    updated: String,
    sha512_url: Option<String>,
    signature_url: String,
}

fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    postmarket_advisories::timefmt::parse_timestamp(s)
}

/// The provider metadata names the keys it signs with (CSAF 2.0 §7.1.20 `public_openpgp_keys`):
/// when none of them is among the keys the user trusts, every signed document will be refused,
/// which is worth saying once, up front.
fn check_listed_keys(
    pm_url: &str,
    pm: &discovery::ProviderMetadata,
    ring: &KeyRing,
    problems: &mut Vec<String>,
) {
    let listed: Vec<String> = pm
        .public_openpgp_keys
        .iter()
        .filter_map(|k| k.fingerprint.as_deref())
        .map(|f| f.replace(' ', "").to_ascii_uppercase())
        .collect();
    let trusted = ring.fingerprints();
    if !listed.is_empty() && !trusted.iter().any(|t| listed.contains(t)) {
        problems.push(format!(
            "cisa-csaf: {pm_url} lists OpenPGP key(s) {} and none of them is among the \
             configured keys ({}): documents signed with the provider's key will be refused",
            listed.join(", "),
            trusted.join(", ")
        ));
    }
}

/// GETs `url`; a 4xx answer (a missing file) is returned as `Ok(Err(..))` so that the caller can
/// refuse one document without failing the whole source.
async fn fetch_optional(
    client: &Arc<Client>,
    url: &str,
) -> Result<Result<Vec<u8>, FetchError>, AppError> {
    let client = Arc::clone(client);
    let url = url.to_string();
    let res = tokio::task::spawn_blocking(move || client.get(&url, &[]))
        .await
        .map_err(|e| AppError::Internal(format!("fetch task failed: {e}")))?;
    match res {
        Ok(f) => Ok(Ok(f.body)),
        Err(e) if e.is_client_error() => Ok(Err(e)),
        Err(e) => Err(fetch_failed(e)),
    }
}

/// Fetches a document with its `.sha512` (and, with trusted keys, its `.asc`) and checks them.
/// `Ok(Err(why))` refuses the document: it is not imported and is tried again next time.
async fn fetch_verified(
    client: &Arc<Client>,
    d: &CsafDocRef,
    keys: Option<&KeyRing>,
) -> Result<Result<Vec<u8>, String>, AppError> {
    let Some(sha_url) = &d.sha512_url else {
        return Ok(Err(format!(
            "{}: the feed lists no .sha512 file, so it cannot be checked",
            d.url
        )));
    };
    let doc = match fetch_optional(client, &d.url).await? {
        Ok(b) => b,
        Err(e) => {
            return Ok(Err(format!(
                "{}: the document cannot be fetched: {e}",
                d.url
            )))
        }
    };
    let sha = match fetch_optional(client, sha_url).await? {
        Ok(b) => b,
        Err(e) => return Ok(Err(format!("{}: its SHA-512 file is missing: {e}", d.url))),
    };
    let name = d.url.rsplit('/').next().map(str::to_string);
    let opts = ParseOptions::named(&d.url);
    if let Err(e) = discovery::verify_sha512(&doc, &sha, name.as_deref(), &opts) {
        return Ok(Err(e.to_string()));
    }
    if let Some(ring) = keys {
        let asc = match fetch_optional(client, &d.signature_url).await? {
            Ok(b) => b,
            Err(e) => {
                return Ok(Err(format!(
                    "{}: OpenPGP keys are configured but its signature is missing: {e}",
                    d.url
                )))
            }
        };
        if let Err(e) = openpgp::verify_detached(&doc, &asc, ring, &opts) {
            return Ok(Err(e.to_string()));
        }
    }
    Ok(Ok(doc))
}

/// The documents a ROLIE feed lists.
async fn rolie_documents(
    client: &Arc<Client>,
    feed_url: &str,
    problems: &mut Vec<String>,
) -> Result<Vec<CsafDocRef>, AppError> {
    let bytes = get(client, feed_url, Vec::new()).await?;
    let feed = discovery::parse_rolie_feed(&bytes, &ParseOptions::named(feed_url))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for d in &feed.diagnostics {
        problems.push(format!("cisa-csaf: {d}"));
    }
    let join = |r: &str| postmarket_feeds::join_url(feed_url, r).map_err(fetch_failed);
    let mut out = Vec::new();
    for e in feed.entries {
        let Some(doc) = &e.document_url else { continue };
        let url = join(doc)?;
        let sha512_url = e.sha512_url().map(join).transpose()?;
        // CSAF 2.0 §7.1.19: the signature sits beside the document as `.asc`.
        let signature_url = match &e.signature_url {
            Some(s) => join(s)?,
            None => format!("{url}.asc"),
        };
        out.push(CsafDocRef {
            url,
            updated: e.updated.clone().unwrap_or_default(),
            sha512_url,
            signature_url,
        });
    }
    Ok(out)
}

/// The documents of a directory-based distribution (CSAF 2.0 §7.1.13 `changes.csv`, else
/// §7.1.12 `index.txt`), each with its `.sha512` and `.asc` beside it (§7.1.18, §7.1.19).
/// `changes.csv` gives each document's last change, which makes the sync incremental: a document
/// is fetched again only when its timestamp moves.
async fn directory_documents(
    client: &Arc<Client>,
    dir_url: &str,
    problems: &mut Vec<String>,
) -> Result<Vec<CsafDocRef>, AppError> {
    let dir = if dir_url.ends_with('/') {
        dir_url.to_string()
    } else {
        format!("{dir_url}/")
    };
    let join = |r: &str| postmarket_feeds::join_url(&dir, r).map_err(fetch_failed);
    let changes_url = join("changes.csv")?;
    let listed: Vec<(String, String)> = match fetch_optional(client, &changes_url).await? {
        Ok(bytes) => {
            let list = discovery::parse_changes_csv(&bytes, &ParseOptions::named(&changes_url))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            for d in &list.diagnostics {
                problems.push(format!("cisa-csaf: {d}"));
            }
            list.entries
                .into_iter()
                .map(|e| (e.path, postmarket_store::feeds::format_ts(e.changed)))
                .collect()
        }
        Err(_) => {
            let index_url = join("index.txt")?;
            let bytes = get(client, &index_url, Vec::new()).await?;
            discovery::parse_index_txt(&bytes, &ParseOptions::named(&index_url))
                .map_err(|e| AppError::Internal(e.to_string()))?
                .into_iter()
                .map(|p| (p, String::new()))
                .collect()
        }
    };
    let mut out = Vec::with_capacity(listed.len());
    for (path, updated) in listed {
        let url = join(&path)?;
        out.push(CsafDocRef {
            sha512_url: Some(format!("{url}.sha512")),
            signature_url: format!("{url}.asc"),
            url,
            updated,
        });
    }
    Ok(out)
}

/// An ecosystem name as one URL path segment (`Debian:12` stays, spaces are escaped).
fn url_segment(s: &str) -> String {
    s.replace(' ', "%20")
}
