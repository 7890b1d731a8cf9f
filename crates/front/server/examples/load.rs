//! A small HTTP/1.1 load generator for DESIGN.md B4: N concurrent keep-alive clients (one thread
//! each) request the given paths in turn for a fixed time, then the run reports requests per
//! second and latency percentiles.
//!
//! ```sh
//! cargo run --release -p postmarket-server --example load -- \
//!     127.0.0.1:8080 --bearer "$TOKEN" --clients 64 --seconds 10 / /api/v1/devices
//! ```
//! The server accepts the Bearer token on pages too, so pages and API calls can be measured alike.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Args {
    host: String,
    bearer: Option<String>,
    clients: usize,
    seconds: u64,
    paths: Vec<String>,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let host = it
        .next()
        .expect("usage: load HOST:PORT [--bearer T] [--clients N] [--seconds S] PATH…")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut a = Args {
        host,
        bearer: None,
        clients: 64,
        seconds: 10,
        paths: Vec::new(),
    };
    while let Some(x) = it.next() {
        match x.as_str() {
            "--bearer" => a.bearer = it.next(),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N"),
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds S"),
            p => a.paths.push(p.to_string()),
        }
    }
    if a.paths.is_empty() {
        a.paths.push("/".into());
    }
    a
}

/// One keep-alive connection: per-request latencies and the number of non-2xx answers.
fn client(
    host: &str,
    auth: &str,
    paths: &[String],
    offset: usize,
    until: Instant,
) -> std::io::Result<(Vec<Duration>, usize)> {
    let stream = TcpStream::connect(host)?;
    stream.set_nodelay(true)?;
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    let (mut lat, mut bad, mut i) = (Vec::new(), 0, offset);
    let mut line = String::new();
    while Instant::now() < until {
        let path = &paths[i % paths.len()];
        i += 1;
        let t = Instant::now();
        write!(w, "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n")?;
        line.clear();
        r.read_line(&mut line)?;
        let ok = line.split(' ').nth(1).is_some_and(|s| s.starts_with('2'));
        let mut len = 0_usize;
        loop {
            line.clear();
            if r.read_line(&mut line)? == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0_u8; len];
        r.read_exact(&mut body)?;
        lat.push(t.elapsed());
        if !ok {
            bad += 1;
        }
    }
    Ok((lat, bad))
}

fn main() {
    let a = args();
    let auth = a
        .bearer
        .as_ref()
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let start = Instant::now();
    let until = start + Duration::from_secs(a.seconds);
    let (mut all, mut bad) = (Vec::new(), 0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..a.clients)
            .map(|n| {
                let (host, auth, paths) = (&a.host, &auth, &a.paths);
                s.spawn(move || client(host, auth, paths, n, until))
            })
            .collect();
        for h in handles {
            let (lat, b) = h.join().expect("client thread").expect("client I/O");
            all.extend(lat);
            bad += b;
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} requests in {elapsed:.1} s, {} clients, paths {:?}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, non-2xx {bad}",
        all.len(),
        a.clients,
        a.paths,
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
}
