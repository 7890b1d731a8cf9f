//! FIRST EPSS scores: the official `epss_scores-YYYY-MM-DD.csv.gz` (with its
//! `#model_version:…,score_date:…` comment line and `cve,epss,percentile` header), plain CSV,
//! semicolon- or tab-separated variants without header, and time series with a `date` column.
//!
//! A hand-written line splitter is used: EPSS fields are never quoted, and this keeps a full
//! snapshot (≈360k rows) well under a second.

use crate::diag::{Diagnostic, Diags, Error, Location, ParseOptions, Result};
use crate::timefmt::parse_timestamp;
use crate::util::{self, is_cve_id};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpssRow {
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, in [0, 1].
    pub epss: f64,
    /// Percentile among all scored CVEs, in [0, 1].
    pub percentile: f64,
    /// Time-series files carry a per-row date (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EpssSnapshot {
    /// e.g. `v2025.03.14`; `None` when the file has no comment line.
    pub model_version: Option<String>,
    pub score_date: Option<OffsetDateTime>,
    /// The score date as written.
    pub score_date_raw: Option<String>,
    pub delimiter: char,
    pub rows: Vec<EpssRow>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy)]
struct Columns {
    cve: usize,
    epss: usize,
    percentile: usize,
    date: Option<usize>,
    n: usize,
}

const DEFAULT_COLS: Columns = Columns {
    cve: 0,
    epss: 1,
    percentile: 2,
    date: None,
    n: 3,
};

fn split(line: &str, d: char) -> impl Iterator<Item = &str> {
    line.split(d).map(str::trim)
}

/// Parse an EPSS file (gzip or plain).
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<EpssSnapshot> {
    let data = util::maybe_gunzip(bytes, opts)?;
    let text = std::str::from_utf8(util::strip_bom(&data))
        .map_err(|e| Error::unreadable(opts, format!("not UTF-8: {e}")))?;
    let mut diags = Diags::new(opts);
    let mut snap = EpssSnapshot {
        delimiter: ',',
        ..Default::default()
    };
    snap.rows.reserve(text.len() / 40);
    let mut cols: Option<Columns> = None;
    let mut delim: Option<char> = None;
    for (idx, raw_line) in text.split('\n').enumerate() {
        let lineno = idx as u64 + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(meta) = line.strip_prefix('#') {
            for part in meta.split(',') {
                let (k, v) = match part.split_once(':') {
                    Some((k, v)) => (k.trim(), v.trim()),
                    None => continue,
                };
                match k {
                    "model_version" => snap.model_version = Some(v.to_string()),
                    "score_date" => {
                        snap.score_date_raw = Some(v.to_string());
                        snap.score_date = parse_timestamp(v);
                        if snap.score_date.is_none() {
                            diags.push(
                                Location::Line(lineno),
                                format!("unrecognised score_date {v:?}"),
                            )?;
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        let d = match delim {
            Some(d) => d,
            None => {
                let d = if line.contains(';') {
                    ';'
                } else if line.contains('\t') {
                    '\t'
                } else {
                    ','
                };
                delim = Some(d);
                snap.delimiter = d;
                d
            }
        };
        if cols.is_none() {
            let first = split(line, d).next().unwrap_or("");
            if !is_cve_id(first)
                && !first.starts_with("CVE")
                && !first.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                // header row
                let names: Vec<String> = split(line, d).map(str::to_ascii_lowercase).collect();
                let find = |n: &str| names.iter().position(|x| x == n);
                match (find("cve"), find("epss"), find("percentile")) {
                    (Some(c), Some(e), Some(p)) if names.len() <= 8 => {
                        cols = Some(Columns {
                            cve: c,
                            epss: e,
                            percentile: p,
                            date: find("date"),
                            n: names.len(),
                        });
                        continue;
                    }
                    _ => {
                        return Err(Error::unreadable(
                            opts,
                            format!("line {lineno}: not an EPSS header (need cve, epss, percentile): {line:?}"),
                        ))
                    }
                }
            }
            cols = Some(DEFAULT_COLS);
        }
        let c = cols.unwrap_or(DEFAULT_COLS);
        let mut fields: [&str; 8] = [""; 8];
        let mut n = 0;
        for f in split(line, d) {
            if n < fields.len() {
                fields[n] = f;
            }
            n += 1;
        }
        if n != c.n {
            diags.push(
                Location::Line(lineno),
                format!("expected {} fields, found {n}; row skipped", c.n),
            )?;
            continue;
        }
        let cve = fields[c.cve];
        if !is_cve_id(cve) {
            diags.push(
                Location::Line(lineno),
                format!("not a CVE id: {cve:?}; row skipped"),
            )?;
            continue;
        }
        let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
        let (Some(e), Some(p)) = (num(fields[c.epss]), num(fields[c.percentile])) else {
            diags.push(
                Location::Line(lineno),
                format!(
                    "unparseable score {:?}/{:?}; row skipped",
                    fields[c.epss], fields[c.percentile]
                ),
            )?;
            continue;
        };
        if !(0.0..=1.0).contains(&e) || !(0.0..=1.0).contains(&p) {
            diags.push(
                Location::Line(lineno),
                format!("value outside [0, 1]: epss {e}, percentile {p}; row skipped"),
            )?;
            continue;
        }
        snap.rows.push(EpssRow {
            cve: cve.to_string(),
            epss: e,
            percentile: p,
            date: c.date.map(|i| fields[i].to_string()),
        });
    }
    snap.diagnostics = diags.list;
    Ok(snap)
}
