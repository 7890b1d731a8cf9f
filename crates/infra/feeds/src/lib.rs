//! # postmarket-feeds
//!
//! Fetching vulnerability sources over HTTP (DESIGN.md §7 `feeds`): a small blocking client on
//! `ureq` (rustls) that retries `429 Too Many Requests`, `5xx` and network failures with
//! exponential backoff, honouring `Retry-After`, spaces requests to a host that publishes a rate
//! limit (NVD: 5 requests per 30 s without an API key, 50 with one), and caps response sizes.
//! Plus the NVD CVE API 2.0 URL arithmetic: `lastModStartDate`/`lastModEndDate` windows of at
//! most 120 days and `startIndex`/`resultsPerPage` paging.
//!
//! Parsing what comes back is `postmarket-advisories`' job; storing it is the store's.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

/// How the client behaves. [`ClientConfig::from_env`] reads the test and tuning knobs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Attempts after the first, for 429, 5xx and network errors.
    pub retries: u32,
    /// First backoff; doubled on every retry (unless the server says `Retry-After`).
    pub backoff: Duration,
    /// Longest wait between attempts, whatever `Retry-After` asks.
    pub max_backoff: Duration,
    /// Least time between two requests (a published rate limit).
    pub min_interval: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Largest response body accepted.
    pub max_body: u64,
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            retries: 5,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(120),
            min_interval: Duration::ZERO,
            timeout: Duration::from_secs(600),
            max_body: 2 << 30,
            user_agent: concat!("postmarket/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl ClientConfig {
    /// Defaults, overridden by `POSTMARKET_FEEDS_RETRIES` and `POSTMARKET_FEEDS_BACKOFF_MS`.
    pub fn from_env() -> Self {
        let mut c = Self::default();
        let num = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let Some(n) = num("POSTMARKET_FEEDS_RETRIES") {
            c.retries = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(ms) = num("POSTMARKET_FEEDS_BACKOFF_MS") {
            c.backoff = Duration::from_millis(ms);
        }
        c
    }
}

/// Why a fetch failed, after the retries.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: HTTP {status} after {attempts} attempt(s){detail}")]
    Status {
        url: String,
        status: u16,
        attempts: u32,
        detail: String,
    },
    #[error("{url}: {message} after {attempts} attempt(s)")]
    Network {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("{url}: {message}")]
    Other { url: String, message: String },
}

impl FetchError {
    /// True for 4xx answers other than 429: asking again will not help.
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Status { status, .. } if (400..500).contains(status) && *status != 429)
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub body: Vec<u8>,
    /// How many attempts were retried before this one succeeded.
    pub retried: u32,
    pub last_modified: Option<String>,
}

/// A blocking HTTP client with retries; cheap to share between threads.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    config: ClientConfig,
    last_request: Mutex<Option<Instant>>,
}

impl Client {
    pub fn new(config: ClientConfig) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(Duration::from_secs(30)))
            .user_agent(config.user_agent.as_str())
            .build()
            .into();
        Self {
            agent,
            config,
            last_request: Mutex::new(None),
        }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Waits so that requests are at least `min_interval` apart.
    fn pace(&self) {
        if self.config.min_interval.is_zero() {
            return;
        }
        let mut last = self.last_request.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = *last {
            let since = t.elapsed();
            if since < self.config.min_interval {
                std::thread::sleep(self.config.min_interval - since);
            }
        }
        *last = Some(Instant::now());
    }

    /// GETs `url` with extra `headers`, retrying 429, 5xx and network errors.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        let mut attempt = 0_u32;
        loop {
            attempt += 1;
            self.pace();
            let mut req = self.agent.get(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let wait = match req.call() {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let header = |name: &str| {
                        resp.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let retry_after = header("retry-after");
                    let last_modified = header("last-modified");
                    if (200..300).contains(&status) {
                        let body = resp
                            .body_mut()
                            .with_config()
                            .limit(self.config.max_body)
                            .read_to_vec()
                            .map_err(|e| FetchError::Network {
                                url: url.to_string(),
                                message: format!("reading the body failed: {e}"),
                                attempts: attempt,
                            });
                        match body {
                            Ok(body) => {
                                return Ok(Fetched {
                                    url: url.to_string(),
                                    body,
                                    retried: attempt - 1,
                                    last_modified,
                                })
                            }
                            Err(e) if attempt > self.config.retries => return Err(e),
                            Err(e) => {
                                tracing::warn!("{e}; retrying");
                                self.backoff(attempt, None)
                            }
                        }
                    } else {
                        let retryable = status == 429 || status >= 500;
                        if !retryable || attempt > self.config.retries {
                            let text = resp
                                .body_mut()
                                .with_config()
                                .limit(4096)
                                .read_to_string()
                                .unwrap_or_default();
                            let snippet: String = text.trim().chars().take(200).collect();
                            return Err(FetchError::Status {
                                url: url.to_string(),
                                status,
                                attempts: attempt,
                                detail: if snippet.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {snippet}")
                                },
                            });
                        }
                        tracing::warn!("{url}: HTTP {status}; retrying (attempt {attempt})");
                        self.backoff(attempt, retry_after.as_deref())
                    }
                }
                Err(e) => {
                    if attempt > self.config.retries {
                        return Err(FetchError::Network {
                            url: url.to_string(),
                            message: e.to_string(),
                            attempts: attempt,
                        });
                    }
                    tracing::warn!("{url}: {e}; retrying (attempt {attempt})");
                    self.backoff(attempt, None)
                }
            };
            std::thread::sleep(wait);
        }
    }

    /// The wait before the next attempt: `Retry-After` (seconds or an HTTP date) when given,
    /// else `backoff · 2^(attempt-1)`; never more than `max_backoff`.
    fn backoff(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        let wait = retry_after
            .and_then(parse_retry_after)
            .unwrap_or_else(|| self.config.backoff * 2_u32.saturating_pow(attempt - 1));
        wait.min(self.config.max_backoff)
    }
}

/// `Retry-After`: delta-seconds, or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let t = OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()?;
    let delta = t - OffsetDateTime::now_utc();
    Some(Duration::from_secs(delta.whole_seconds().max(0) as u64))
}

/// Resolves `reference` against `base` (for relative links in discovery documents).
pub fn join_url(base: &str, reference: &str) -> Result<String, FetchError> {
    let b = url::Url::parse(base).map_err(|e| FetchError::Other {
        url: base.to_string(),
        message: format!("not a URL: {e}"),
    })?;
    b.join(reference)
        .map(|u| u.to_string())
        .map_err(|e| FetchError::Other {
            url: reference.to_string(),
            message: format!("not a URL relative to {base}: {e}"),
        })
}

/// NVD CVE API 2.0.
pub mod nvd {
    use time::{Duration as TimeDuration, OffsetDateTime};

    /// The API's published default.
    pub const DEFAULT_URL: &str = "https://services.nvd.nist.gov/rest/json/cves/2.0";
    /// The API accepts at most 120 days between lastModStartDate and lastModEndDate.
    pub const MAX_WINDOW_DAYS: i64 = 120;
    /// Largest resultsPerPage the API accepts.
    pub const MAX_PAGE: u32 = 2000;
    /// Published rate limits: 5 requests per rolling 30 s without a key, 50 with one.
    pub fn min_interval(with_key: bool) -> std::time::Duration {
        if with_key {
            std::time::Duration::from_millis(600)
        } else {
            std::time::Duration::from_secs(6)
        }
    }

    /// `[start, end)` windows of at most 120 days covering `since..until`.
    pub fn windows(
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Vec<(OffsetDateTime, OffsetDateTime)> {
        let mut out = Vec::new();
        let mut start = since;
        while start < until {
            let end = (start + TimeDuration::days(MAX_WINDOW_DAYS)).min(until);
            out.push((start, end));
            start = end;
        }
        out
    }

    /// NVD's timestamp form: `2024-01-01T00:00:00.000Z` (UTC).
    pub fn timestamp(t: OffsetDateTime) -> String {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }

    /// The URL of one page. Without a window it pages through everything.
    pub fn page_url(
        base: &str,
        window: Option<(OffsetDateTime, OffsetDateTime)>,
        start_index: u64,
        per_page: u32,
    ) -> String {
        let sep = if base.contains('?') { '&' } else { '?' };
        let mut url = format!("{base}{sep}startIndex={start_index}&resultsPerPage={per_page}");
        if let Some((a, b)) = window {
            url.push_str(&format!(
                "&lastModStartDate={}&lastModEndDate={}",
                timestamp(a),
                timestamp(b)
            ));
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_are_at_most_120_days_and_cover_everything() {
        let w = nvd::windows(
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2024-11-27 0:00 UTC),
        );
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, datetime!(2024-01-01 0:00 UTC));
        assert_eq!(w[2].1, datetime!(2024-11-27 0:00 UTC));
        for (a, b) in &w {
            assert!(*b - *a <= time::Duration::days(120));
        }
        for pair in w.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
        }
    }

    #[test]
    fn page_urls_carry_paging_and_window() {
        let u = nvd::page_url(
            "http://h/rest",
            Some((
                datetime!(2024-01-01 0:00 UTC),
                datetime!(2024-02-01 12:30 UTC),
            )),
            40,
            20,
        );
        assert_eq!(
            u,
            "http://h/rest?startIndex=40&resultsPerPage=20&lastModStartDate=2024-01-01T00:00:00.000Z&lastModEndDate=2024-02-01T12:30:00.000Z"
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = Client::new(ClientConfig {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..ClientConfig::default()
        });
        assert_eq!(c.backoff(1, None), Duration::from_millis(100));
        assert_eq!(c.backoff(2, None), Duration::from_millis(200));
        assert_eq!(c.backoff(3, None), Duration::from_millis(350));
        assert_eq!(c.backoff(1, Some("0")), Duration::ZERO);
    }

    #[test]
    fn relative_links_resolve() {
        assert_eq!(
            join_url("http://h/a/provider-metadata.json", "feed.json").unwrap(),
            "http://h/a/feed.json"
        );
    }
}
