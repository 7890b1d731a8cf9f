//! CISA Known Exploited Vulnerabilities catalog, JSON and CSV.

use crate::diag::{Diagnostic, Diags, Error, Location, ParseOptions, Result};
use crate::model::{Source, VulnRecord};
use crate::timefmt::parse_timestamp;
use crate::util::{self, cwe, is_cve_id, push_unique, record, LooseNum};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KevEntry {
    pub cve_id: String,
    pub vendor_project: String,
    pub product: String,
    pub vulnerability_name: String,
    /// `YYYY-MM-DD`, raw.
    pub date_added: String,
    pub short_description: String,
    pub required_action: String,
    /// `YYYY-MM-DD`, raw.
    pub due_date: Option<String>,
    /// `Known` / `Unknown`, raw.
    pub known_ransomware_campaign_use: Option<String>,
    pub notes: Option<String>,
    pub cwes: Vec<String>,
}

impl KevEntry {
    /// The entry as a normalised record (`published` = date added to the catalog).
    pub fn to_record(&self) -> VulnRecord {
        let mut r = VulnRecord::new(Source::Kev, self.cve_id.clone());
        r.summary = Some(self.vulnerability_name.clone()).filter(|s| !s.is_empty());
        r.details = Some(self.short_description.clone()).filter(|s| !s.is_empty());
        r.cwes = self.cwes.clone();
        r.published = parse_timestamp(&self.date_added);
        r.status = Some("known-exploited".to_string());
        r
    }
}

#[derive(Debug, Clone, Default)]
pub struct KevCatalog {
    /// `catalogVersion` (JSON only).
    pub catalog_version: Option<String>,
    pub date_released: Option<String>,
    /// The `count` the JSON declares.
    pub declared_count: Option<u64>,
    pub entries: Vec<KevEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog<'a> {
    catalog_version: Option<String>,
    date_released: Option<String>,
    #[serde(default)]
    count: LooseNum,
    #[serde(borrow)]
    vulnerabilities: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    vendor_project: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    vulnerability_name: String,
    date_added: String,
    #[serde(default)]
    short_description: String,
    #[serde(default)]
    required_action: String,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
    notes: Option<String>,
    #[serde(default)]
    cwes: Vec<String>,
}

fn check(e: &KevEntry, loc: impl Fn(&str) -> Location, diags: &mut Diags<'_>) -> Result<bool> {
    if !is_cve_id(&e.cve_id) {
        diags.push(
            loc("cveID"),
            format!("not a CVE id: {:?}; entry skipped", e.cve_id),
        )?;
        return Ok(false);
    }
    if parse_timestamp(&e.date_added).is_none() {
        diags.push(loc("dateAdded"), format!("bad date {:?}", e.date_added))?;
    }
    if let Some(d) = e.due_date.as_deref().filter(|d| !d.is_empty()) {
        if parse_timestamp(d).is_none() {
            diags.push(loc("dueDate"), format!("bad date {d:?}"))?;
        }
    }
    Ok(true)
}

fn cwes_of<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v = Vec::new();
    for s in items {
        if let Some(c) = cwe(s) {
            push_unique(&mut v, &c);
        }
    }
    v
}

/// Parse the KEV JSON catalog.
pub fn parse_json(bytes: &[u8], opts: &ParseOptions) -> Result<KevCatalog> {
    let data = util::maybe_gunzip(bytes, opts)?;
    let raw: RawCatalog<'_> = util::parse_top(&data, opts)?;
    let list = raw
        .vulnerabilities
        .ok_or_else(|| Error::unreadable(opts, "not a KEV catalog: no `vulnerabilities` array"))?;
    let mut diags = Diags::new(opts);
    let mut entries = Vec::with_capacity(list.len());
    for (i, r) in list.into_iter().enumerate() {
        let ptr = format!("/vulnerabilities/{i}");
        let Some(e) = record::<RawEntry>(r, &ptr, &mut diags)? else {
            continue;
        };
        let entry = KevEntry {
            cwes: cwes_of(e.cwes.iter().map(String::as_str)),
            cve_id: e.cve_id.trim().to_string(),
            vendor_project: e.vendor_project,
            product: e.product,
            vulnerability_name: e.vulnerability_name,
            date_added: e.date_added,
            short_description: e.short_description,
            required_action: e.required_action,
            due_date: e.due_date,
            known_ransomware_campaign_use: e.known_ransomware_campaign_use,
            notes: e.notes.filter(|s| !s.is_empty()),
        };
        let ptr2 = ptr.clone();
        if check(
            &entry,
            |f| Location::Pointer(format!("{ptr2}/{f}")),
            &mut diags,
        )? {
            entries.push(entry);
        }
    }
    Ok(KevCatalog {
        catalog_version: raw.catalog_version,
        date_released: raw.date_released,
        declared_count: raw.count.0.map(|c| c as u64),
        entries,
        diagnostics: diags.list,
    })
}

/// Parse the KEV CSV (header row with `cveID`, …; column order is taken from the header).
pub fn parse_csv(bytes: &[u8], opts: &ParseOptions) -> Result<KevCatalog> {
    let data = util::maybe_gunzip(bytes, opts)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(util::strip_bom(&data));
    let headers = rdr
        .headers()
        .map_err(|e| Error::unreadable(opts, format!("CSV header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(c_cve) = col("cveID") else {
        return Err(Error::unreadable(opts, "not a KEV CSV: no `cveID` column"));
    };
    let cols = [
        col("vendorProject"),
        col("product"),
        col("vulnerabilityName"),
        col("dateAdded"),
        col("shortDescription"),
        col("requiredAction"),
        col("dueDate"),
        col("knownRansomwareCampaignUse"),
        col("notes"),
        col("cwes"),
    ];
    let mut diags = Diags::new(opts);
    let mut entries = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let line = rdr.position().line() + 1;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let l = e.position().map_or(line, |p| p.line());
                diags.push(Location::Line(l), format!("malformed CSV row: {e}"))?;
                // csv cannot resynchronise after an I/O/UTF-8 error; a field-count error is per row.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let l = rec.position().map_or(line, |p| p.line());
        if rec.len() != headers.len() {
            diags.push(
                Location::Line(l),
                format!(
                    "row has {} fields, header has {}; row skipped",
                    rec.len(),
                    headers.len()
                ),
            )?;
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let opt = |c: Option<usize>| Some(get(c)).filter(|s| !s.is_empty());
        let entry = KevEntry {
            cve_id: rec.get(c_cve).unwrap_or("").trim().to_string(),
            vendor_project: get(cols[0]),
            product: get(cols[1]),
            vulnerability_name: get(cols[2]),
            date_added: get(cols[3]),
            short_description: get(cols[4]),
            required_action: get(cols[5]),
            due_date: opt(cols[6]),
            known_ransomware_campaign_use: opt(cols[7]),
            notes: opt(cols[8]),
            cwes: cwes_of(get(cols[9]).split(',')),
        };
        if check(&entry, |_| Location::Line(l), &mut diags)? {
            entries.push(entry);
        }
    }
    Ok(KevCatalog {
        catalog_version: None,
        date_released: None,
        declared_count: None,
        entries,
        diagnostics: diags.list,
    })
}
