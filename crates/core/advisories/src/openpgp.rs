//! OpenPGP verification of CSAF documents against their detached `.asc` signatures
//! (feature `openpgp`, pure-Rust rPGP).
//!
//! Keys are configured by the user (CSAF provider metadata lists fingerprints and URLs in
//! `public_openpgp_keys`; fetching them is the caller's job). A key whose self-signatures do not
//! verify is refused when loaded. A signature is accepted when it verifies against the primary key
//! or a (binding-verified) subkey of one of the loaded keys.

use crate::diag::{Error, ParseOptions, Result};
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;

/// A set of trusted public keys.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<SignedPublicKey>,
}

/// Which key verified a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Fingerprint (upper-case hex) of the primary key of the certificate that verified.
    pub primary_fingerprint: String,
    /// Fingerprint of the (sub)key whose signature it is.
    pub signing_fingerprint: String,
}

fn hex(fp: impl std::fmt::UpperHex) -> String {
    format!("{fp:X}")
}

fn verr(opts: &ParseOptions, message: impl std::fmt::Display) -> Error {
    Error::Verification {
        place: opts.place(),
        message: message.to_string(),
    }
}

impl KeyRing {
    pub fn new() -> Self {
        KeyRing::default()
    }

    /// Add every certificate in an ASCII-armored public key block (one or many).
    /// Returns the fingerprints added.
    pub fn add_armored(&mut self, armored: &[u8], opts: &ParseOptions) -> Result<Vec<String>> {
        let text = std::str::from_utf8(armored)
            .map_err(|e| verr(opts, format!("key is not UTF-8: {e}")))?;
        let (iter, _headers) = SignedPublicKey::from_string_many(text)
            .map_err(|e| verr(opts, format!("cannot read key: {e}")))?;
        let mut added = Vec::new();
        for k in iter {
            let k = k.map_err(|e| verr(opts, format!("cannot read key: {e}")))?;
            k.verify_bindings().map_err(|e| {
                verr(
                    opts,
                    format!(
                        "key {} has invalid self-signatures: {e}",
                        hex(k.fingerprint())
                    ),
                )
            })?;
            added.push(hex(k.fingerprint()));
            self.keys.push(k);
        }
        if added.is_empty() {
            return Err(verr(opts, "no public key found"));
        }
        Ok(added)
    }

    pub fn fingerprints(&self) -> Vec<String> {
        self.keys.iter().map(|k| hex(k.fingerprint())).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Issuer fingerprints (or key ids) named inside an armored detached signature.
pub fn signature_issuers(armored_signature: &[u8], opts: &ParseOptions) -> Result<Vec<String>> {
    let sig = read_sig(armored_signature, opts)?;
    let mut out: Vec<String> = sig
        .signature
        .issuer_fingerprint()
        .into_iter()
        .map(hex)
        .collect();
    if out.is_empty() {
        out = sig
            .signature
            .issuer_key_id()
            .into_iter()
            .map(|k| k.as_ref().iter().map(|b| format!("{b:02X}")).collect())
            .collect();
    }
    Ok(out)
}

fn read_sig(armored: &[u8], opts: &ParseOptions) -> Result<DetachedSignature> {
    let (sig, _) = DetachedSignature::from_armor_single(armored)
        .map_err(|e| verr(opts, format!("cannot read signature: {e}")))?;
    Ok(sig)
}

/// Verify `document` against an armored detached signature with the keys in `ring`.
pub fn verify_detached(
    document: &[u8],
    armored_signature: &[u8],
    ring: &KeyRing,
    opts: &ParseOptions,
) -> Result<Verified> {
    let sig = read_sig(armored_signature, opts)?;
    if ring.is_empty() {
        return Err(verr(opts, "no OpenPGP keys configured"));
    }
    for k in &ring.keys {
        if sig.verify(&k.primary_key, document).is_ok() {
            let fp = hex(k.fingerprint());
            return Ok(Verified {
                primary_fingerprint: fp.clone(),
                signing_fingerprint: fp,
            });
        }
        for sub in &k.public_subkeys {
            if sig.verify(&sub.key, document).is_ok() {
                return Ok(Verified {
                    primary_fingerprint: hex(k.fingerprint()),
                    signing_fingerprint: hex(sub.key.fingerprint()),
                });
            }
        }
    }
    let issuers = signature_issuers(armored_signature, opts).unwrap_or_default();
    Err(verr(
        opts,
        format!(
            "OpenPGP signature does not verify with any configured key (signature issuer {}; configured {})",
            issuers.join(", "),
            ring.fingerprints().join(", ")
        ),
    ))
}
