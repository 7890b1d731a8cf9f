//! Integration tests, built as one binary (see `[[test]]` in Cargo.toml).

// Locating ../shared and reading corpus files.
mod common;

// Bad input through the public API, each refused with a clear error.
mod bad_input;
// The default matrix against the tables in DESIGN.md and requirements.md.
mod default_matrix;
// The default exploitability bands over NVD's 41,673 v3 vectors.
mod nvd_subscores;
// FDA's eight worked examples from fda/worked-examples.yaml.
mod worked_examples;
