//! OpenPGP detached signatures (feature `openpgp`). CISA's public key is not in the corpus, so the
//! real `.asc` files are read (issuer extracted) but verified only against a key generated here,
//! which must refuse them; the positive path signs real CSAF documents with the generated key.
#![cfg(feature = "openpgp")]

mod common;

use pgp::composed::{
    ArmorOptions, DetachedSignature, EncryptionCaps, KeyType, SecretKeyParamsBuilder,
    SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;
use postmarket_advisories::openpgp::{signature_issuers, verify_detached, KeyRing};
use postmarket_advisories::ParseOptions;
use rand::SeedableRng;

fn keypair(seed: u64, uid: &str) -> (SignedSecretKey, String) {
    let mut p = SecretKeyParamsBuilder::default();
    p.key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .primary_user_id(uid.into());
    let rng = rand::rngs::StdRng::seed_from_u64(seed);
    let sk = p.build().unwrap().generate(rng).unwrap();
    let pk = SignedPublicKey::from(sk.clone());
    let armored = pk.to_armored_string(ArmorOptions::default()).unwrap();
    (sk, armored)
}

fn sign(sk: &SignedSecretKey, data: &[u8], seed: u64) -> Vec<u8> {
    let rng = rand::rngs::StdRng::seed_from_u64(seed);
    DetachedSignature::sign_binary_data(
        rng,
        &sk.primary_key,
        &Password::empty(),
        HashAlgorithm::Sha512,
        data,
    )
    .unwrap()
    .to_armored_bytes(ArmorOptions::default())
    .unwrap()
}

#[test]
fn generated_key_signs_and_verifies_csaf_documents() {
    let opts = ParseOptions::named("doc.json");
    let (sk, pub_armored) = keypair(1, "PSIRT <psirt@example.test>");
    let (_, other_armored) = keypair(2, "Other <other@example.test>");
    let mut ring = KeyRing::new();
    let fps = ring.add_armored(pub_armored.as_bytes(), &opts).unwrap();
    assert_eq!(fps.len(), 1);

    let mut docs = vec![common::fixture("csaf-small.json")];
    if let Some(root) = common::corpus() {
        docs.push(std::fs::read(root.join("01-cisa-csaf/icsma/icsma-24-151-02.json")).unwrap());
    }
    for (i, doc) in docs.iter().enumerate() {
        let asc = sign(&sk, doc, 10 + i as u64);
        let v = verify_detached(doc, &asc, &ring, &opts).unwrap();
        assert_eq!(v.primary_fingerprint, fps[0]);
        assert_eq!(
            signature_issuers(&asc, &opts).unwrap(),
            vec![fps[0].clone()]
        );
        // Tampered document: refused.
        let mut bad = doc.clone();
        let n = bad.len() / 2;
        bad[n] ^= 0x20;
        assert!(verify_detached(&bad, &asc, &ring, &opts).is_err());
        // Right document, wrong key: refused.
        let mut other = KeyRing::new();
        other.add_armored(other_armored.as_bytes(), &opts).unwrap();
        assert!(verify_detached(doc, &asc, &other, &opts).is_err());
    }
    assert!(ring.add_armored(b"not a key", &opts).is_err());
    assert!(verify_detached(b"x", b"garbage", &ring, &opts).is_err());
}

#[test]
fn cisa_signatures_parse_but_need_cisas_key() {
    let Some(root) = common::corpus() else { return };
    let (_, pub_armored) = keypair(3, "Not CISA <x@example.test>");
    let mut ring = KeyRing::new();
    ring.add_armored(pub_armored.as_bytes(), &ParseOptions::default())
        .unwrap();
    let mut n = 0;
    for f in common::files(&root.join("01-cisa-csaf/signatures")) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Some(doc_name) = name.strip_suffix(".asc") else {
            continue;
        };
        let asc = std::fs::read(&f).unwrap();
        let doc = std::fs::read(root.join("01-cisa-csaf/icsma").join(doc_name)).unwrap();
        let opts = ParseOptions::named(f.display().to_string());
        let issuers = signature_issuers(&asc, &opts).unwrap();
        assert!(!issuers.is_empty());
        eprintln!("{name}: issuer {issuers:?}");
        let e = verify_detached(&doc, &asc, &ring, &opts).unwrap_err();
        assert!(e.to_string().contains(&issuers[0]), "{e}");
        n += 1;
    }
    assert_eq!(n, 5);
}
