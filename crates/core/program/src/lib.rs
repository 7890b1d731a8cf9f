//! The FDA postmarket cybersecurity program as pure code, with no I/O (DESIGN.md §4, `program`).
//!
//! `postmarket-risk` decides one vulnerability's risk; this crate runs the *case* around it:
//!
//! | module | what |
//! |---|---|
//! | [`state`] | the case state machine: new → triage → assessed → routine-update → closed, or → remediation → fixed → closed; not-affected, duplicate, reopen |
//! | [`clocks`] | day-30 and day-60 clocks from T0 (calendar days), the CVD acknowledgement clock (business days), the controlled-case target |
//! | [`notice`] | the customer notification, which cannot exist without FDA's four elements (§VII.B(2)(a–d)) |
//! | [`isao`] | ISAO membership and the four participation criteria (§IX) as evidence |
//! | [`evidence`] | the 806 determination from the recorded evidence, each condition linked to it; the 803 flag; the premarket-submission evaluation |
//! | [`metrics`] | FDA's metrics for a period (premarket guidance §V.A.6) |
//! | [`annual`] | PMA annual report content (21 CFR 814.84; postmarket guidance §VIII) as JSON and HTML |
//! | [`pdf`] | a small PDF writer for text reports |
//! | [`ssvc_inputs`] | SSVC decision points from the analyst's values, KEV, exploit maturity and the CVSS vector |

pub mod annual;
pub mod clocks;
mod error;
pub mod evidence;
pub mod isao;
pub mod metrics;
pub mod notice;
pub mod pdf;
pub mod ssvc_inputs;
pub mod state;

pub use error::ProgramError;

use postmarket_model::Date;

/// Calendar days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to.inner() - from.inner()).whole_days()
}

/// `date` plus `days` calendar days.
pub fn add_days(date: Date, days: i64) -> Date {
    Date::from_calendar(date.inner() + time::Duration::days(days))
}
