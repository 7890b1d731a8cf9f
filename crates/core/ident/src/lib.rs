//! Package identity for Postmarket: package URLs ([`purl`]) and CPE 2.3 names ([`cpe`]).
#![forbid(unsafe_code)]

pub mod cpe;
pub mod purl;

pub use cpe::{Cpe23, CpeError, CpeValue};
pub use purl::{PackageUrl, PurlError};
