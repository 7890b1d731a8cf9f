//! PMA annual report content (21 CFR 814.84; postmarket guidance §VIII; DESIGN.md §4): for each
//! cybersecurity change or control in the period, the vulnerability and how it was learned of,
//! the controlled / uncontrolled conclusion, the change against the approved version and why,
//! other affected devices, related MDR or recall numbers, the UDI, the CISA / ISAO advisory
//! reference, every customer notification, the ISAO and date shared, and the references to a
//! PMA supplement, 30-day notice or 806 report, or why none was needed.

use maud::{html, Markup, DOCTYPE};
use postmarket_model::Date;
use serde::Serialize;

use crate::metrics::Metrics;

/// The device the report is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDevice {
    pub name: String,
    pub product_line: String,
    pub class: String,
    pub pathway: String,
    pub udi_di: Option<String>,
}

/// The change a case led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    /// The releases the vulnerability affects (the approved versions changed).
    pub affected_releases: Vec<String>,
    /// The release that carries the fix, if any.
    pub fixed_by_release: Option<String>,
    pub validated_on: Option<Date>,
    pub distributed_on: Option<Date>,
    /// `in-cycle` or `out-of-cycle` (§524B(b)(2)).
    pub cycle: Option<String>,
    /// Why the change, and its timing.
    pub rationale: String,
}

/// A customer notification as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationEntry {
    pub sent_on: Date,
    pub recipients: String,
}

/// An ISAO share as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareEntry {
    pub isao: String,
    pub shared_on: Date,
    pub what: String,
}

/// One case's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualEntry {
    pub case_id: i64,
    pub vulnerability: String,
    /// How the manufacturer learned of it (case source and detail).
    pub how_learned: String,
    pub t0: Date,
    /// `controlled` or `uncontrolled`.
    pub risk: String,
    pub state: String,
    pub change: ChangeEntry,
    pub other_affected_devices: Vec<String>,
    pub mdr_numbers: Vec<String>,
    pub udi_di: Option<String>,
    pub advisory_reference: Option<String>,
    pub notifications: Vec<NotificationEntry>,
    pub isao_shares: Vec<ShareEntry>,
    /// 21 CFR 806 outcome and its reason.
    pub report_806: String,
    pub report_806_reason: String,
    /// PMA supplement / 30-day notice reference, or why none was needed.
    pub premarket_submission: String,
}

/// The annual report for one PMA device and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualReport {
    pub device: ReportDevice,
    pub from: Date,
    pub to: Date,
    pub generated_on: Date,
    pub entries: Vec<AnnualEntry>,
    pub metrics: Metrics,
}

fn or_none(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_string(), str::to_string)
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn fmt_days(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |d| format!("{d:.1} days"))
}

impl AnnualReport {
    /// The report as (heading level, text) lines, for plain-text and PDF rendering.
    pub fn lines(&self) -> Vec<(u8, String)> {
        let d = &self.device;
        let mut out = vec![
            (
                1,
                format!("PMA annual report: cybersecurity changes, {}", d.name),
            ),
            (
                0,
                format!(
                    "Period {} to {}; generated {}",
                    self.from, self.to, self.generated_on
                ),
            ),
            (
                0,
                format!(
                    "Device {} (product line {}, class {}, {}), UDI-DI {}",
                    d.name,
                    d.product_line,
                    d.class,
                    d.pathway,
                    or_none(d.udi_di.as_deref())
                ),
            ),
            (
                0,
                "Content per 21 CFR 814.84 and FDA postmarket cybersecurity guidance section VIII."
                    .into(),
            ),
            (2, "Metrics (premarket guidance V.A.6)".into()),
        ];
        let m = &self.metrics;
        out.push((0, format!(
            "Identified {}; patched {} ({}); identification to patch mean {}, median {}; patch to full deployment mean {}, median {} ({} not yet fully deployed)",
            m.identified,
            m.patched,
            m.percent_patched.map_or_else(|| "n/a".into(), |p| format!("{p:.1}%")),
            fmt_days(m.identification_to_patch.mean_days),
            fmt_days(m.identification_to_patch.median_days),
            fmt_days(m.patch_to_deployment.mean_days),
            fmt_days(m.patch_to_deployment.median_days),
            m.not_fully_deployed
        )));
        out.push((2, format!("Changes and controls ({})", self.entries.len())));
        if self.entries.is_empty() {
            out.push((
                0,
                "No cybersecurity changes or controls in this period.".into(),
            ));
        }
        for e in &self.entries {
            out.push((3, format!("Case {}: {}", e.case_id, e.vulnerability)));
            out.push((
                0,
                format!("How learned: {} on {} (T0)", e.how_learned, e.t0),
            ));
            out.push((0, format!("Conclusion: {} risk; case {}", e.risk, e.state)));
            let c = &e.change;
            out.push((
                0,
                format!(
                    "Change: affected releases {}; fixed by {} ({}), validated {}, distributed {}",
                    list_or_none(&c.affected_releases),
                    or_none(c.fixed_by_release.as_deref()),
                    or_none(c.cycle.as_deref()),
                    c.validated_on
                        .map_or_else(|| "n/a".into(), |d| d.to_string()),
                    c.distributed_on
                        .map_or_else(|| "n/a".into(), |d| d.to_string()),
                ),
            ));
            out.push((0, format!("Rationale: {}", c.rationale)));
            out.push((
                0,
                format!(
                    "Other affected devices: {}",
                    list_or_none(&e.other_affected_devices)
                ),
            ));
            out.push((
                0,
                format!("MDR / recall numbers: {}", list_or_none(&e.mdr_numbers)),
            ));
            out.push((0, format!("UDI-DI: {}", or_none(e.udi_di.as_deref()))));
            out.push((
                0,
                format!("Advisory: {}", or_none(e.advisory_reference.as_deref())),
            ));
            let notices: Vec<String> = e
                .notifications
                .iter()
                .map(|n| format!("{} to {}", n.sent_on, n.recipients))
                .collect();
            out.push((
                0,
                format!("Customer notifications: {}", list_or_none(&notices)),
            ));
            let shares: Vec<String> = e
                .isao_shares
                .iter()
                .map(|s| format!("{} on {} ({})", s.isao, s.shared_on, s.what))
                .collect();
            out.push((0, format!("ISAO shares: {}", list_or_none(&shares))));
            out.push((
                0,
                format!("21 CFR 806: {}: {}", e.report_806, e.report_806_reason),
            ));
            out.push((
                0,
                format!("Premarket submission: {}", e.premarket_submission),
            ));
        }
        out
    }

    /// A self-contained HTML page.
    pub fn html(&self) -> String {
        let m = &self.metrics;
        let page: Markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { "PMA annual report — " (self.device.name) " — " (self.from) " to " (self.to) }
                    style { "body{font-family:sans-serif;max-width:60rem;margin:2rem auto}th{text-align:left;vertical-align:top;padding-right:1rem}section{border-top:1px solid #ccc;margin-top:1rem}" }
                }
                body {
                    h1 { "PMA annual report: cybersecurity changes" }
                    p { "Device " strong { (self.device.name) } " (product line " (self.device.product_line) ", class " (self.device.class) ", " (self.device.pathway) "), UDI-DI " (or_none(self.device.udi_di.as_deref())) ". Period " (self.from) " to " (self.to) "; generated " (self.generated_on) ". Content per 21 CFR 814.84 and FDA postmarket cybersecurity guidance §VIII." }
                    h2 { "Metrics" }
                    table {
                        tr { th { "identified" } td { (m.identified) } }
                        tr { th { "patched" } td { (m.patched) " (" (m.percent_patched.map_or_else(|| "n/a".into(), |p| format!("{p:.1}%"))) ")" } }
                        tr { th { "identification → patch" } td { "mean " (fmt_days(m.identification_to_patch.mean_days)) ", median " (fmt_days(m.identification_to_patch.median_days)) } }
                        tr { th { "patch → full deployment" } td { "mean " (fmt_days(m.patch_to_deployment.mean_days)) ", median " (fmt_days(m.patch_to_deployment.median_days)) "; " (m.not_fully_deployed) " not yet fully deployed" } }
                    }
                    h2 { "Changes and controls (" (self.entries.len()) ")" }
                    @if self.entries.is_empty() { p { "No cybersecurity changes or controls in this period." } }
                    @for e in &self.entries {
                        section id=(format!("case-{}", e.case_id)) {
                            h3 { "Case " (e.case_id) ": " (e.vulnerability) }
                            table {
                                tr { th { "how learned" } td { (e.how_learned) " — T0 " (e.t0) } }
                                tr { th { "conclusion" } td { (e.risk) " (case " (e.state) ")" } }
                                tr { th { "affected releases" } td { (list_or_none(&e.change.affected_releases)) } }
                                tr { th { "change" } td { "fixed by " (or_none(e.change.fixed_by_release.as_deref())) " (" (or_none(e.change.cycle.as_deref())) "), validated " (e.change.validated_on.map_or_else(|| "n/a".into(), |d| d.to_string())) ", distributed " (e.change.distributed_on.map_or_else(|| "n/a".into(), |d| d.to_string())) } }
                                tr { th { "rationale" } td { (e.change.rationale) } }
                                tr { th { "other affected devices" } td { (list_or_none(&e.other_affected_devices)) } }
                                tr { th { "MDR / recall numbers" } td { (list_or_none(&e.mdr_numbers)) } }
                                tr { th { "UDI-DI" } td { (or_none(e.udi_di.as_deref())) } }
                                tr { th { "advisory" } td { (or_none(e.advisory_reference.as_deref())) } }
                                tr { th { "customer notifications" } td { @if e.notifications.is_empty() { "none" } @for n in &e.notifications { (n.sent_on) " to " (n.recipients) br; } } }
                                tr { th { "ISAO shares" } td { @if e.isao_shares.is_empty() { "none" } @for s in &e.isao_shares { (s.isao) " on " (s.shared_on) " (" (s.what) ")" br; } } }
                                tr { th { "21 CFR 806" } td { (e.report_806) ": " (e.report_806_reason) } }
                                tr { th { "premarket submission" } td { (e.premarket_submission) } }
                            }
                        }
                    }
                }
            }
        };
        page.into_string()
    }

    /// The report as a PDF document.
    pub fn pdf(&self) -> Vec<u8> {
        crate::pdf::render(
            &format!("PMA annual report {}", self.device.name),
            &self.lines(),
        )
    }
}
