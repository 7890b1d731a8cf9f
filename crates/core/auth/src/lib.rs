//! Access control for Postmarket's web app and API (issue 8): the roles and what each may do,
//! argon2id password hashes, high-entropy tokens kept only as SHA-256 hashes, the CSRF token tied
//! to a session, and the login rate limits. No storage here: the store keeps the hashes.
//!
//! The permission table (also in the README):
//!
//! | permission                              | admin | analyst | approver | engineer | viewer |
//! |-----------------------------------------|:-----:|:-------:|:--------:|:--------:|:------:|
//! | read devices, releases, SBOMs, vulns, feeds | ✓ | ✓       | ✓        | ✓        | ✓      |
//! | create devices                          | ✓     |         |          | ✓        |        |
//! | create releases, upload SBOMs           | ✓     | ✓       |          | ✓        |        |
//! | assess cases                            | ✓     | ✓       |          |          |        |
//! | sign decisions (electronic signature)   | ✓     |         | ✓        |          |        |
//! | manage users and API tokens             | ✓     |         |          |          |        |
//!
//! Every role but admin sees only the devices of the product lines granted to the account.
//! An API token acts as its user, narrowed by its scope: `read` allows only reading.

mod limiter;

use std::fmt;
use std::str::FromStr;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

pub use limiter::{LoginLimiter, Throttled, ACCOUNT_LIMIT, IP_LIMIT, WINDOW};

/// A value that is not one of the allowed ones; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: expected {expected}")]
pub struct Invalid {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Analyst,
    Approver,
    Engineer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Analyst,
        Role::Approver,
        Role::Engineer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Approver => "approver",
            Role::Engineer => "engineer",
            Role::Viewer => "viewer",
        }
    }

    /// The permission table above, as code.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Analyst => matches!(p, Read | WriteRelease | AssessCase),
            Role::Approver => matches!(p, Read | SignDecision),
            Role::Engineer => matches!(p, Read | CreateDevice | WriteRelease),
            Role::Viewer => matches!(p, Read),
        }
    }

    /// Admins see every product line; everyone else only those granted.
    pub fn sees_all_product_lines(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Invalid {
                what: "role",
                value: s.to_string(),
                expected: "admin, analyst, approver, engineer or viewer".into(),
            })
    }
}

/// Something a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read devices, releases, SBOMs, components, vulnerabilities and feed status.
    Read,
    CreateDevice,
    /// Create releases and upload SBOMs.
    WriteRelease,
    AssessCase,
    /// Sign a decision (electronic signature, with the password entered again).
    SignDecision,
    /// Create accounts, change grants, create and revoke anyone's API tokens.
    ManageUsers,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::CreateDevice,
        Permission::WriteRelease,
        Permission::AssessCase,
        Permission::SignDecision,
        Permission::ManageUsers,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read devices, releases, SBOMs, vulnerabilities and feeds",
            Permission::CreateDevice => "create devices",
            Permission::WriteRelease => "create releases and upload SBOMs",
            Permission::AssessCase => "assess cases",
            Permission::SignDecision => "sign decisions",
            Permission::ManageUsers => "manage users and API tokens",
        }
    }
}

/// What an API token may do on behalf of its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        self == Scope::Write || p == Permission::Read
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            _ => Err(Invalid {
                what: "scope",
                value: s.to_string(),
                expected: "read or write".into(),
            }),
        }
    }
}

/// Shortest password accepted (NIST SP 800-63B §5.1.1.2 asks for at least 8; we ask for more).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: argon2 would take anything, but a megabyte is not a password.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks a new password against the length rules.
pub fn check_new_password(password: &str) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Invalid {
            what: "password",
            value: "(hidden)".into(),
            expected: format!(
                "at least {MIN_PASSWORD_CHARS} characters and at most {MAX_PASSWORD_BYTES} bytes (it has {chars} characters)"
            ),
        });
    }
    Ok(())
}

/// Hashes a password with argon2id (RFC 9106) at the `argon2` crate's defaults (19 MiB, 2 passes,
/// 1 lane: OWASP's recommended minimum) and a random 16-byte salt; returns the PHC string.
pub fn hash_password(password: &str) -> Result<String, Invalid> {
    check_new_password(password)?;
    let mut salt = [0_u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Invalid {
        what: "salt",
        value: e.to_string(),
        expected: "16 random bytes".into(),
    })?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Invalid {
            what: "password",
            value: "(hidden)".into(),
            expected: format!("something argon2 can hash ({e})"),
        })
}

/// True when `password` matches the PHC string. A malformed hash never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification without an account, so that a login for an unknown name
/// takes as long as one with a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc =
        DUMMY.get_or_init(|| hash_password("postmarket-timing-equaliser").unwrap_or_default());
    let _ = verify_password(phc, password);
}

fn fill_random(buf: &mut [u8]) {
    // The operating system's generator failing leaves no safe way to continue.
    getrandom::getrandom(buf).expect("the operating system's random generator failed");
}

/// A new secret token: `prefix` and 256 random bits in hex. Only its [`token_hash`] is stored.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0_u8; 32];
    fill_random(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Prefix of API tokens (so that secret scanners and people recognise them).
pub const API_TOKEN_PREFIX: &str = "pmt_";
/// Prefix of session tokens (cookie values).
pub const SESSION_TOKEN_PREFIX: &str = "pms_";

/// SHA-256 of a token, hex: a 256-bit random token needs no slow hash, and a database leak
/// reveals no usable token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session: a synchronizer token derived from the session secret (which only
/// the browser's HttpOnly cookie holds), so it needs no storage and dies with the session.
pub fn csrf_token(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"postmarket csrf v1\0");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random password for generated accounts (the demo's admin): 20 characters from an
/// alphabet without look-alikes, about 115 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0_u8; 20];
    fill_random(&mut bytes);
    // 256 is not a multiple of 56: the tiny bias is irrelevant at this length.
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_table_is_as_documented() {
        let yes = |r: Role| Permission::ALL.into_iter().filter(move |p| r.allows(*p));
        assert_eq!(yes(Role::Admin).count(), 6);
        assert_eq!(
            yes(Role::Viewer).collect::<Vec<_>>(),
            vec![Permission::Read]
        );
        assert!(Role::Analyst.allows(Permission::AssessCase));
        assert!(!Role::Analyst.allows(Permission::SignDecision));
        assert!(Role::Approver.allows(Permission::SignDecision));
        assert!(!Role::Approver.allows(Permission::WriteRelease));
        assert!(Role::Engineer.allows(Permission::CreateDevice));
        assert!(!Role::Engineer.allows(Permission::ManageUsers));
        for r in Role::ALL {
            assert!(r.allows(Permission::Read));
            assert_eq!(r.allows(Permission::ManageUsers), r == Role::Admin);
        }
    }

    #[test]
    fn read_scope_allows_only_reading() {
        for p in Permission::ALL {
            assert_eq!(Scope::Read.allows(p), p == Permission::Read);
            assert!(Scope::Write.allows(p));
        }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password(
            "not a phc string",
            "correct horse battery"
        ));
        // The same password twice gets two salts.
        assert_ne!(h, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let e = hash_password("short").unwrap_err();
        assert!(e.to_string().contains("at least 12 characters"), "{e}");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token(API_TOKEN_PREFIX);
        let b = new_token(API_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
        assert_ne!(csrf_token(&a), token_hash(&a));
        assert!(constant_time_eq(&csrf_token(&a), &csrf_token(&a)));
        assert!(!constant_time_eq(&csrf_token(&a), &csrf_token(&b)));
    }

    #[test]
    fn roles_and_scopes_parse_with_helpful_errors() {
        assert_eq!("Approver".parse::<Role>().unwrap(), Role::Approver);
        let e = "root".parse::<Role>().unwrap_err().to_string();
        assert!(
            e.contains("admin, analyst, approver, engineer or viewer"),
            "{e}"
        );
        assert!("admin".parse::<Scope>().is_err());
    }

    #[test]
    fn generated_passwords_pass_the_rules() {
        let p = generate_password();
        assert_eq!(p.len(), 20);
        check_new_password(&p).unwrap();
    }
}
