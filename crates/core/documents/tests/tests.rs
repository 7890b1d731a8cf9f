//! Integration tests, built as one binary (see `[[test]]` in Cargo.toml).

// Sample publications and the independent validators.
mod common;

// Writer and reader refusals, each naming the place.
mod bad_input;
// Supplier documents from the public corpus: CISA and OASIS CSAF, CycloneDX VEX examples.
mod corpus;
// Equal input, equal bytes; ids derived from the input.
mod determinism;
// Every justification in every direction, and the warnings for lossy mappings.
mod mapping;
// Every generated CSAF and CycloneDX document through the independent validators.
mod oracles;
// OpenVEX documents against the specification's structure (no independent validator here).
mod openvex_structure;
// Write, read back, compare: all three formats.
mod roundtrip;
