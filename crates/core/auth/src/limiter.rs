//! Login rate limits, in memory (OWASP Authentication Cheat Sheet, "Protect against automated
//! attacks"): failed attempts are counted per account and per client address over a sliding
//! window; over the limit, further attempts are refused without checking the password until the
//! oldest failure leaves the window. A success clears the account's failures.
//!
//! Limits: 5 failures per account and 20 per address in 15 minutes. The counters live in the
//! server process (a restart clears them), and hold at most 10,000 keys of each kind.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per account within [`WINDOW`].
pub const ACCOUNT_LIMIT: usize = 5;
/// Failed logins allowed per client address within [`WINDOW`].
pub const IP_LIMIT: usize = 20;
/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

/// A refused attempt: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

#[derive(Debug)]
pub struct LoginLimiter {
    account_limit: usize,
    ip_limit: usize,
    window: Duration,
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    accounts: HashMap<String, VecDeque<Instant>>,
    ips: HashMap<IpAddr, VecDeque<Instant>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(ACCOUNT_LIMIT, IP_LIMIT, WINDOW)
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

fn over(
    q: Option<&mut VecDeque<Instant>>,
    limit: usize,
    now: Instant,
    window: Duration,
) -> Option<Duration> {
    let q = q?;
    prune(q, now, window);
    if q.len() >= limit {
        let oldest = *q.front()?;
        Some(window.saturating_sub(now.duration_since(oldest)))
    } else {
        None
    }
}

impl LoginLimiter {
    pub fn new(account_limit: usize, ip_limit: usize, window: Duration) -> Self {
        Self {
            account_limit,
            ip_limit,
            window,
            inner: Mutex::new(Counters::default()),
        }
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves counters that are still counters.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// May this address try to log in to this account now?
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), Throttled> {
        let now = Instant::now();
        let key = account.to_lowercase();
        let mut c = self.counters();
        let a = over(
            c.accounts.get_mut(&key),
            self.account_limit,
            now,
            self.window,
        );
        let i = over(c.ips.get_mut(&ip), self.ip_limit, now, self.window);
        match a.into_iter().chain(i).max() {
            Some(wait) => Err(Throttled {
                retry_after: wait.max(Duration::from_secs(1)),
            }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt against the account and the address.
    pub fn failed(&self, ip: IpAddr, account: &str) {
        let now = Instant::now();
        let window = self.window;
        let mut c = self.counters();
        if c.accounts.len() >= MAX_KEYS || c.ips.len() >= MAX_KEYS {
            // Bounded memory: forget keys whose failures have all left the window.
            c.accounts.retain(|_, q| {
                prune(q, now, window);
                !q.is_empty()
            });
            c.ips.retain(|_, q| {
                prune(q, now, window);
                !q.is_empty()
            });
        }
        if c.accounts.len() < MAX_KEYS {
            c.accounts
                .entry(account.to_lowercase())
                .or_default()
                .push_back(now);
        }
        if c.ips.len() < MAX_KEYS {
            c.ips.entry(ip).or_default().push_back(now);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.counters().accounts.remove(&account.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_is_throttled_after_its_limit_and_others_are_not() {
        let l = LoginLimiter::new(3, 100, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            l.check(ip, "alice").unwrap();
            l.failed(ip, "alice");
        }
        let t = l.check(ip, "Alice").unwrap_err();
        assert!(
            t.retry_after <= Duration::from_secs(60) && t.retry_after >= Duration::from_secs(1)
        );
        l.check(ip, "bob").unwrap();
    }

    #[test]
    fn address_is_throttled_across_accounts() {
        let l = LoginLimiter::new(100, 4, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        for n in 0..4 {
            l.failed(ip, &format!("user{n}"));
        }
        assert!(l.check(ip, "someone-else").is_err());
        l.check("10.0.0.3".parse().unwrap(), "someone-else")
            .unwrap();
    }

    #[test]
    fn failures_leave_the_window() {
        let l = LoginLimiter::new(1, 100, Duration::from_millis(50));
        let ip: IpAddr = "::1".parse().unwrap();
        l.failed(ip, "carol");
        assert!(l.check(ip, "carol").is_err());
        std::thread::sleep(Duration::from_millis(60));
        l.check(ip, "carol").unwrap();
    }

    #[test]
    fn success_clears_the_account() {
        let l = LoginLimiter::new(2, 100, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.4".parse().unwrap();
        l.failed(ip, "dave");
        l.succeeded("dave");
        l.failed(ip, "dave");
        l.check(ip, "dave").unwrap();
    }
}
