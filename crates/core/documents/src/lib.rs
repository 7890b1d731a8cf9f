//! The machine-readable documents a medical-device manufacturer publishes about vulnerabilities,
//! and the supplier documents it reads. Pure: no I/O.
//!
//! * Writers, from one [`Publication`]: CSAF 2.0 `csaf_security_advisory` and `csaf_vex`
//!   ([`write_csaf`]), CycloneDX 1.6 VEX ([`write_cyclonedx`]), OpenVEX 0.2.0
//!   ([`write_openvex`]). Each returns the document as a [`serde_json::Value`] with the
//!   [`Warning`]s for information the format could not carry. Output is deterministic: keys
//!   are sorted, lists follow the input, ids are derived from it ([`product_id`],
//!   [`cyclonedx::serial_number`]).
//! * Readers ([`read_vex`], or [`read_csaf`] / [`read_cyclonedx`] / [`read_openvex`]): a
//!   supplier's VEX as component-level [`Statement`]s in the neutral vocabulary
//!   ([`vocab`]), the native justification kept beside the mapped one. Bad input is a
//!   [`ReadError`] with the JSON pointer and what was expected.

mod check;
pub mod csaf;
pub mod cvss_json;
pub mod cyclonedx;
mod error;
pub mod model;
pub mod openvex;
pub mod read;
pub mod vocab;

pub use check::{is_rfc3339, product_id};
pub use csaf::{write_csaf, CsafProfile};
pub use cyclonedx::write_cyclonedx;
pub use error::{ReadError, Warning, WriteError, Written};
pub use model::*;
pub use openvex::write_openvex;
pub use read::{
    read_csaf, read_cyclonedx, read_openvex, read_value, read_vex, Format, Imported,
    ProductIdentity, Statement,
};
pub use vocab::{CdxJustification, Justification, Status, VexJustification};
