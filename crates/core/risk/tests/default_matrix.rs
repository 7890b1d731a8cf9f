//! The default matrix, every cell, against the tables in DESIGN.md §4 and
//! requirements.md A1.4 as written in those files.

use crate::common;
use postmarket_risk::{CellValue, ExploitabilityLevel, HarmSeverity, RiskMatrix};
use std::path::Path;

/// Reads the first markdown table after `marker` whose header names the five
/// severities, as (row, column, value) triples.
fn table_after(path: &Path, marker: &str) -> Vec<(ExploitabilityLevel, HarmSeverity, CellValue)> {
    let text = common::read(path);
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("{}: no '{marker}'", path.display()));
    let mut lines = text[start..]
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let header = cells(lines.next().expect("table header"));
    let columns: Vec<HarmSeverity> = header[1..]
        .iter()
        .map(|c| {
            c.parse()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect();
    assert_eq!(
        columns,
        HarmSeverity::ALL,
        "{}: column order",
        path.display()
    );
    let mut out = Vec::new();
    for line in lines.skip(1) {
        let row = cells(line);
        let level: ExploitabilityLevel = row[0].parse().expect("row name");
        for (col, v) in columns.iter().zip(&row[1..]) {
            let value = match v.as_str() {
                "C" => CellValue::Controlled,
                "U" => CellValue::Uncontrolled,
                "R" => CellValue::AnalystChoice,
                other => panic!("{}: unknown cell '{other}'", path.display()),
            };
            out.push((level, *col, value));
        }
    }
    out
}

fn check(cells: &[(ExploitabilityLevel, HarmSeverity, CellValue)], source: &str) {
    let m = RiskMatrix::fda_default();
    assert_eq!(cells.len(), 15, "{source}: 3 × 5 cells");
    for &(row, col, want) in cells {
        assert_eq!(m.cell(row, col), want, "{source}: {row} × {col}");
    }
    let mut rows: Vec<_> = cells.iter().map(|c| c.0).collect();
    rows.dedup();
    assert_eq!(
        rows,
        ExploitabilityLevel::ALL,
        "{source}: rows high, medium, low"
    );
}

#[test]
fn default_matrix_matches_design_md_cell_by_cell() {
    let Some(shared) = common::shared() else {
        return;
    };
    let cells = table_after(&shared.root.join("DESIGN.md"), "**Default matrix**");
    check(&cells, "DESIGN.md §4");
    eprintln!(
        "DESIGN.md §4: 15 cells agree ({})",
        RiskMatrix::fda_default().layout()
    );
}

#[test]
fn default_matrix_matches_requirements_a1_4() {
    let Some(shared) = common::shared() else {
        return;
    };
    let cells = table_after(&shared.fda.join("requirements.md"), "Suggested default");
    check(&cells, "requirements.md A1.4");
}
