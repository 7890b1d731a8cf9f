//! The risk matrix: 3 exploitability rows × 5 harm-severity columns of
//! C (controlled), U (uncontrolled) or R (the analyst must choose and justify).
//!
//! FDA's figure ("Evaluation of Risk of Patient Harm", 2016 §VI.C) has no cell
//! boundaries, so the matrix is the manufacturer's: configurable, versioned,
//! and **approved** (who, when) before any decision may use it. The default is
//! DESIGN.md §4's:
//!
//! | exploitability \ severity | negligible | minor | serious | critical | catastrophic |
//! |---|---|---|---|---|---|
//! | high   | C | C | U | U | U |
//! | medium | C | C | R | U | U |
//! | low    | C | C | C | R | R |
//!
//! # JSON
//!
//! ```json
//! {
//!   "version": 1,
//!   "cells": {
//!     "high":   {"negligible": "C", "minor": "C", "serious": "U", "critical": "U", "catastrophic": "U"},
//!     "medium": {"negligible": "C", "minor": "C", "serious": "R", "critical": "U", "catastrophic": "U"},
//!     "low":    {"negligible": "C", "minor": "C", "serious": "C", "critical": "R", "catastrophic": "R"}
//!   },
//!   "approval": {"by": "J. Doe, QA/RA", "at": "2026-01-15T09:30:00Z",
//!                "version": 1, "cells": "CCUUU/CCRUU/CCCRR"}
//! }
//! ```
//!
//! Reading refuses an unknown row or column, a value other than `C`, `U` or
//! `R`, and a missing cell, each naming the cell. `approval` is optional in
//! the file, but only a matrix whose approval names an approver, carries the
//! matrix's own version **and** the exact cell layout it approved
//! (`high/medium/low` rows, severity columns in order) can be turned into an
//! [`ApprovedMatrix`], the only form decisions accept. Changing a cell through
//! [`RiskMatrix::with_cell`] bumps the version and drops the approval; editing
//! the file by hand leaves a layout the approval does not match. Either way
//! the changed matrix cannot be used until it is approved again.

use crate::error::{Error, Result};
use crate::exploitability::ExploitabilityLevel;
use crate::harm::HarmSeverity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::OffsetDateTime;

/// One cell's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CellValue {
    /// C: controlled.
    #[serde(rename = "C")]
    Controlled,
    /// U: uncontrolled.
    #[serde(rename = "U")]
    Uncontrolled,
    /// R: the analyst must choose controlled or uncontrolled and justify it.
    #[serde(rename = "R")]
    AnalystChoice,
}

impl CellValue {
    /// `C`, `U` or `R`.
    pub fn letter(self) -> char {
        match self {
            CellValue::Controlled => 'C',
            CellValue::Uncontrolled => 'U',
            CellValue::AnalystChoice => 'R',
        }
    }

    fn from_letter(s: &str) -> Option<Self> {
        match s {
            "C" => Some(CellValue::Controlled),
            "U" => Some(CellValue::Uncontrolled),
            "R" => Some(CellValue::AnalystChoice),
            _ => None,
        }
    }
}

impl fmt::Display for CellValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// Who approved a matrix, when, and exactly what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The approver (name and role).
    pub by: String,
    /// When, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The matrix version approved.
    pub version: u32,
    /// The cell layout approved, e.g. `CCUUU/CCRUU/CCCRR`.
    pub cells: String,
}

/// A matrix cell looked up for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MatrixCell {
    /// Exploitability row.
    pub exploitability: ExploitabilityLevel,
    /// Severity column.
    pub severity: HarmSeverity,
    /// The value.
    pub value: CellValue,
}

/// A validated risk matrix, approved or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawMatrix", into = "RawMatrix")]
pub struct RiskMatrix {
    version: u32,
    /// Rows in [`ExploitabilityLevel::ALL`] order (high, medium, low),
    /// columns in [`HarmSeverity::ALL`] order.
    cells: [[CellValue; 5]; 3],
    approval: Option<Approval>,
}

fn row_index(e: ExploitabilityLevel) -> usize {
    match e {
        ExploitabilityLevel::High => 0,
        ExploitabilityLevel::Medium => 1,
        ExploitabilityLevel::Low => 2,
    }
}

fn col_index(h: HarmSeverity) -> usize {
    h as usize
}

impl RiskMatrix {
    /// A matrix from its cells (rows high, medium, low; columns negligible …
    /// catastrophic), unapproved.
    pub fn new(version: u32, cells: [[CellValue; 5]; 3]) -> Self {
        Self {
            version,
            cells,
            approval: None,
        }
    }

    /// DESIGN.md §4's default, version 1, **not approved**: the manufacturer
    /// approves it (or its own) before use.
    pub fn fda_default() -> Self {
        use CellValue::{AnalystChoice as R, Controlled as C, Uncontrolled as U};
        Self::new(1, [[C, C, U, U, U], [C, C, R, U, U], [C, C, C, R, R]])
    }

    /// Reads the JSON form (see the module docs), refusing malformed matrices.
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: RawMatrix = serde_json::from_str(text).map_err(|e| Error::MalformedMatrix {
            message: e.to_string(),
        })?;
        Self::try_from(raw)
    }

    /// The JSON form, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The approval as recorded (it may not hold; see [`RiskMatrix::approved`]).
    pub fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    /// One cell.
    pub fn cell(&self, exploitability: ExploitabilityLevel, severity: HarmSeverity) -> CellValue {
        self.cells[row_index(exploitability)][col_index(severity)]
    }

    /// The layout as one string, rows high/medium/low separated by `/`,
    /// e.g. `CCUUU/CCRUU/CCCRR`. This is what an approval pins.
    pub fn layout(&self) -> String {
        self.cells
            .iter()
            .map(|row| row.iter().map(|c| c.letter()).collect::<String>())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// A changed copy: one cell set, the version bumped, the approval dropped.
    pub fn with_cell(
        &self,
        exploitability: ExploitabilityLevel,
        severity: HarmSeverity,
        value: CellValue,
    ) -> Self {
        let mut m = self.clone();
        m.cells[row_index(exploitability)][col_index(severity)] = value;
        m.version = self.version + 1;
        m.approval = None;
        m
    }

    /// Records an approval of this exact version and layout and returns the
    /// matrix in the form decisions accept.
    pub fn approve(mut self, by: &str, at: OffsetDateTime) -> Result<ApprovedMatrix> {
        if by.trim().is_empty() {
            return Err(Error::MissingApprover);
        }
        self.approval = Some(Approval {
            by: by.to_string(),
            at,
            version: self.version,
            cells: self.layout(),
        });
        self.approved()
    }

    /// The matrix in the form decisions accept, if its approval holds:
    /// present, naming an approver, for this version and this layout.
    pub fn approved(&self) -> Result<ApprovedMatrix> {
        let refuse = |reason: String| {
            Err(Error::UnapprovedMatrix {
                version: self.version,
                reason,
            })
        };
        let Some(a) = &self.approval else {
            return refuse("it has no approval; have it approved (who, when) first".into());
        };
        if a.by.trim().is_empty() {
            return refuse("the approval does not name an approver".into());
        }
        if a.version != self.version {
            return refuse(format!(
                "the approval is for version {}, not {}",
                a.version, self.version
            ));
        }
        let layout = self.layout();
        if a.cells != layout {
            return refuse(format!(
                "the cells changed since approval (approved {}, now {layout})",
                a.cells
            ));
        }
        Ok(ApprovedMatrix(self.clone()))
    }
}

/// A risk matrix whose approval holds. Only [`RiskMatrix::approved`] and
/// [`RiskMatrix::approve`] make one, so holding one proves the check was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ApprovedMatrix(RiskMatrix);

impl ApprovedMatrix {
    /// The matrix.
    pub fn matrix(&self) -> &RiskMatrix {
        &self.0
    }

    /// The version.
    pub fn version(&self) -> u32 {
        self.0.version
    }

    /// The approval (always present).
    pub fn approval(&self) -> &Approval {
        // An ApprovedMatrix is only built after the approval was checked.
        self.0
            .approval
            .as_ref()
            .unwrap_or_else(|| unreachable!("approved matrix without approval"))
    }

    /// Looks a cell up.
    pub fn lookup(
        &self,
        exploitability: ExploitabilityLevel,
        severity: HarmSeverity,
    ) -> MatrixCell {
        MatrixCell {
            exploitability,
            severity,
            value: self.0.cell(exploitability, severity),
        }
    }
}

/// The serialized shape, before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    version: u32,
    cells: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approval: Option<Approval>,
}

impl TryFrom<RawMatrix> for RiskMatrix {
    type Error = Error;

    fn try_from(raw: RawMatrix) -> Result<Self> {
        let version = raw.version;
        for (row, cols) in &raw.cells {
            if row.parse::<ExploitabilityLevel>().ok().map(|l| l.as_str()) != Some(row.as_str()) {
                return Err(Error::MatrixUnknownRow {
                    version,
                    row: row.clone(),
                });
            }
            for (col, value) in cols {
                if col.parse::<HarmSeverity>().ok().map(|h| h.as_str()) != Some(col.as_str()) {
                    return Err(Error::MatrixUnknownColumn {
                        version,
                        row: row.clone(),
                        column: col.clone(),
                    });
                }
                if CellValue::from_letter(value).is_none() {
                    return Err(Error::MatrixUnknownValue {
                        version,
                        row: row.clone(),
                        column: col.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        let mut cells = [[CellValue::Uncontrolled; 5]; 3];
        for e in ExploitabilityLevel::ALL {
            for h in HarmSeverity::ALL {
                let value = raw
                    .cells
                    .get(e.as_str())
                    .and_then(|cols| cols.get(h.as_str()))
                    .and_then(|v| CellValue::from_letter(v))
                    .ok_or_else(|| Error::MatrixMissingCell {
                        version,
                        row: e.as_str().into(),
                        column: h.as_str().into(),
                    })?;
                cells[row_index(e)][col_index(h)] = value;
            }
        }
        Ok(RiskMatrix {
            version,
            cells,
            approval: raw.approval,
        })
    }
}

impl From<RiskMatrix> for RawMatrix {
    fn from(m: RiskMatrix) -> Self {
        let cells = ExploitabilityLevel::ALL
            .iter()
            .map(|&e| {
                let cols = HarmSeverity::ALL
                    .iter()
                    .map(|&h| (h.as_str().to_string(), m.cell(e, h).letter().to_string()))
                    .collect();
                (e.as_str().to_string(), cols)
            })
            .collect();
        RawMatrix {
            version: m.version,
            cells,
            approval: m.approval,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use CellValue::{AnalystChoice as R, Controlled as C, Uncontrolled as U};
    use ExploitabilityLevel as E;
    use HarmSeverity as H;

    const WHEN: OffsetDateTime = datetime!(2026-01-15 09:30 UTC);

    #[test]
    fn default_matrix_every_cell() {
        // DESIGN.md §4, cell by cell (the integration test also reads the
        // table from DESIGN.md itself).
        let expected = [
            (E::High, [C, C, U, U, U]),
            (E::Medium, [C, C, R, U, U]),
            (E::Low, [C, C, C, R, R]),
        ];
        let m = RiskMatrix::fda_default();
        for (row, values) in expected {
            for (h, v) in H::ALL.into_iter().zip(values) {
                assert_eq!(m.cell(row, h), v, "{row} × {h}");
            }
        }
        assert_eq!(m.layout(), "CCUUU/CCRUU/CCCRR");
    }

    #[test]
    fn json_round_trip_keeps_cells_and_approval() {
        let approved = RiskMatrix::fda_default().approve("QA/RA", WHEN).unwrap();
        let json = approved.matrix().to_json();
        let back = RiskMatrix::from_json(&json).unwrap();
        assert_eq!(&back, approved.matrix());
        assert!(back.approved().is_ok());
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["cells"]["medium"]["serious"], "R");
        assert_eq!(v["approval"]["at"], "2026-01-15T09:30:00Z");
    }

    fn default_json_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut v = serde_json::to_value(RiskMatrix::fda_default()).unwrap();
        edit(&mut v);
        v.to_string()
    }

    #[test]
    fn missing_cell_is_refused_naming_it() {
        let json = default_json_with(|v| {
            v["cells"]["low"]
                .as_object_mut()
                .unwrap()
                .remove("critical");
        });
        assert_eq!(
            RiskMatrix::from_json(&json).unwrap_err(),
            Error::MatrixMissingCell {
                version: 1,
                row: "low".into(),
                column: "critical".into()
            }
        );
        let json = default_json_with(|v| {
            v["cells"].as_object_mut().unwrap().remove("medium");
        });
        assert!(matches!(
            RiskMatrix::from_json(&json).unwrap_err(),
            Error::MatrixMissingCell { row, .. } if row == "medium"
        ));
    }

    #[test]
    fn unknown_value_row_or_column_is_refused() {
        let json = default_json_with(|v| v["cells"]["high"]["minor"] = "X".into());
        let err = RiskMatrix::from_json(&json).unwrap_err();
        assert_eq!(
            err.to_string(),
            "risk matrix version 1, cell exploitability 'high' × severity 'minor': unknown value 'X' (expected C, U or R)"
        );
        let json = default_json_with(|v| v["cells"]["extreme"] = serde_json::json!({}));
        assert!(matches!(
            RiskMatrix::from_json(&json).unwrap_err(),
            Error::MatrixUnknownRow { row, .. } if row == "extreme"
        ));
        let json = default_json_with(|v| v["cells"]["low"]["fatal"] = "U".into());
        assert!(matches!(
            RiskMatrix::from_json(&json).unwrap_err(),
            Error::MatrixUnknownColumn { column, .. } if column == "fatal"
        ));
        assert!(matches!(
            RiskMatrix::from_json("{").unwrap_err(),
            Error::MalformedMatrix { .. }
        ));
    }

    #[test]
    fn unapproved_and_changed_matrices_cannot_be_used() {
        let err = RiskMatrix::fda_default().approved().unwrap_err();
        assert!(err.to_string().contains("has no approval"), "{err}");

        let approved = RiskMatrix::fda_default().approve("QA/RA", WHEN).unwrap();
        let changed = approved.matrix().with_cell(E::Medium, H::Serious, U);
        assert_eq!(changed.version(), 2);
        assert!(changed.approval().is_none());
        assert!(matches!(
            changed.approved(),
            Err(Error::UnapprovedMatrix { version: 2, .. })
        ));
        // Approving the change makes it usable.
        let re = changed.approve("QA/RA", WHEN).unwrap();
        assert_eq!(re.lookup(E::Medium, H::Serious).value, U);

        // A hand edit that keeps the old approval is caught by the layout.
        let json = approved.matrix().to_json().replacen("\"R\"", "\"C\"", 1);
        let edited = RiskMatrix::from_json(&json).unwrap();
        let err = edited.approved().unwrap_err();
        assert!(
            err.to_string().contains("cells changed since approval"),
            "{err}"
        );

        // So is a version bump without re-approval.
        let mut v: serde_json::Value = serde_json::from_str(&approved.matrix().to_json()).unwrap();
        v["version"] = 7.into();
        let err = RiskMatrix::from_json(&v.to_string())
            .unwrap()
            .approved()
            .unwrap_err();
        assert!(
            err.to_string().contains("approval is for version 1, not 7"),
            "{err}"
        );

        assert_eq!(
            RiskMatrix::fda_default().approve(" ", WHEN).unwrap_err(),
            Error::MissingApprover
        );
    }
}
