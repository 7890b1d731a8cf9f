//! One module per version scheme. Each exposes a parsed type with a total
//! `Ord` and documents how it treats input outside its grammar.

pub mod alpine;
pub mod composer;
pub mod debian;
pub mod generic;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;
