//! `feeds sync`: fetch the sources over HTTP and import what changed (issue 4).
//!
//! * **nvd**: NVD CVE API 2.0, `lastModStartDate`/`lastModEndDate` windows of at most 120 days
//!   from the last sync (or `--since`) to now, `startIndex` paging, optional API key, requests
//!   spaced by NVD's published rate limit. Each page is stored in its own transaction **together
//!   with the checkpoint** (window, next `startIndex`), so an interrupted sync resumes at the page
//!   it stopped on. The first sync without `--since` pages through everything.
//! * **osv**: each configured ecosystem's `ECOSYSTEM/all.zip`, one transaction per ecosystem.
//! * **kev**, **epss**: the catalog / the daily file, one transaction each.
//! * **cisa-csaf**: `provider-metadata.json` → ROLIE feeds → each listed document and its
//!   `.sha512`. A document whose hash does not match (or that lists no `.sha512`) is **refused**:
//!   reported, not imported, and tried again next time. Documents are stored in batches, each
//!   with the checkpoint of what has been imported (URL → feed `updated`).
//!
//! Retries with backoff on 429/5xx honour `Retry-After` (`postmarket-feeds`). A failed sync never
//! deletes anything: what was committed stays, and the source's state records the error.

use std::collections::BTreeMap;
use std::sync::Arc;

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
                    self.sync_csaf(actor, cfg, since, &mut runs, &mut problems)
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
        since: Option<OffsetDateTime>,
        runs: &mut Vec<FeedRun>,
        problems: &mut Vec<String>,
    ) -> Result<String, AppError> {
        let pm_url = cfg.csaf_url.as_deref().unwrap_or(DEFAULT_CSAF_URL);
        let client = self.client(std::time::Duration::ZERO);
        let pm_bytes = get(&client, pm_url, Vec::new()).await?;
        let pm = discovery::parse_provider_metadata(&pm_bytes, &ParseOptions::named(pm_url))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let state = self.store.sync_state("cisa-csaf").await?;
        let mut done: BTreeMap<String, String> = state
            .and_then(|s| s.checkpoint)
            .and_then(|c| c.get("documents").cloned())
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        // Every entry of every feed that is new or changed since it was imported.
        let mut todo = Vec::new();
        for feed_ref in pm.feed_urls() {
            let feed_url = postmarket_feeds::join_url(pm_url, feed_ref).map_err(fetch_failed)?;
            let bytes = get(&client, &feed_url, Vec::new()).await?;
            let feed = discovery::parse_rolie_feed(&bytes, &ParseOptions::named(&feed_url))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            for d in &feed.diagnostics {
                problems.push(format!("cisa-csaf: {d}"));
            }
            for e in feed.entries {
                let Some(doc) = &e.document_url else { continue };
                let doc_url = postmarket_feeds::join_url(&feed_url, doc).map_err(fetch_failed)?;
                let updated = e.updated.clone().unwrap_or_default();
                if done.get(&doc_url) == Some(&updated) {
                    continue;
                }
                if let (Some(s), Some(u)) = (
                    since,
                    e.updated
                        .as_deref()
                        .and_then(postmarket_advisories::timefmt::parse_timestamp),
                ) {
                    if u < s {
                        continue;
                    }
                }
                let sha_url = e
                    .sha512_url()
                    .map(|s| postmarket_feeds::join_url(&feed_url, s))
                    .transpose()
                    .map_err(fetch_failed)?;
                todo.push((doc_url, sha_url, updated));
            }
        }
        let mut refused = 0;
        let mut imported = 0;
        for batch in todo.chunks(50) {
            let mut fetched = Vec::new();
            for (doc_url, sha_url, updated) in batch {
                let Some(sha_url) = sha_url else {
                    refused += 1;
                    problems.push(format!(
                        "cisa-csaf: REFUSED {doc_url}: the feed lists no .sha512 file, so it cannot be checked"
                    ));
                    continue;
                };
                let doc = get(&client, doc_url, Vec::new()).await?;
                let sha = get(&client, sha_url, Vec::new()).await?;
                let name = doc_url.rsplit('/').next().map(str::to_string);
                if let Err(e) = discovery::verify_sha512(
                    &doc,
                    &sha,
                    name.as_deref(),
                    &ParseOptions::named(doc_url),
                ) {
                    refused += 1;
                    problems.push(format!("cisa-csaf: REFUSED {e} (not imported)"));
                    continue;
                }
                fetched.push((doc_url.clone(), updated.clone(), doc));
            }
            let mut w = self.store.write(actor).await?;
            let mut import = FeedImport::start(&mut w, "sync").await?;
            let run = import.begin_run(&mut w, "csaf", "csaf", pm_url).await?;
            let mut unknown = BTreeMap::new();
            for (url, updated, doc) in fetched {
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&doc));
                let parsed = postmarket_advisories::parse_any(
                    &doc,
                    Some(Kind::Csaf),
                    &ParseOptions::named(&url),
                );
                match parsed {
                    Ok((_, output)) => {
                        import.add_file(run, &url, &sha);
                        import.add_rejected(run, output.diagnostics().len());
                        store_output(&mut import, &mut w, run, output, &mut unknown).await?;
                        imported += 1;
                        done.insert(url, updated);
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
                Some(&json!({"documents": done})),
                false,
                None,
            )
            .await?;
            w.commit().await?;
        }
        self.store
            .set_sync_state(
                "cisa-csaf",
                Some(&json!({"documents": done})),
                refused == 0,
                (refused > 0).then_some("some documents were refused"),
            )
            .await?;
        Ok(format!(
            " ({imported} document(s) fetched and verified, {refused} refused)"
        ))
    }
}

/// An ecosystem name as one URL path segment (`Debian:12` stays, spaces are escaped).
fn url_segment(s: &str) -> String {
    s.replace(' ', "%20")
}
