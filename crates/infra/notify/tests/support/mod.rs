//! Real servers on loopback for the delivery tests: a small SMTP server (RFC 5321 EHLO/HELO,
//! AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and a small HTTP/1.1 server. Both record what
//! they receive, byte for byte, and answer as each test scripts them.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

/// One message the SMTP sink accepted.
#[derive(Debug, Clone, Default)]
pub struct ReceivedMail {
    pub helo: String,
    pub auth: Option<(String, String)>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA section with dot-stuffing undone and the final `.` line removed.
    pub data: Vec<u8>,
    /// Whether the message came over TLS (implicit or after STARTTLS).
    pub tls: bool,
}

impl ReceivedMail {
    pub fn text(&self) -> String {
        String::from_utf8(self.data.clone()).expect("mail is UTF-8")
    }
    /// Header fields (unfolded) and the body, split at the first empty line.
    pub fn headers_and_body(&self) -> (Vec<(String, String)>, String) {
        let text = self.text();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .expect("a header/body separator");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("a folded line follows a header");
                last.1.push(' ');
                last.1.push_str(line.trim());
            } else {
                let (name, value) = line.split_once(':').expect("a header line");
                headers.push((name.to_string(), value.trim().to_string()));
            }
        }
        (headers, body.to_string())
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers_and_body()
            .0
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// How the SMTP sink behaves.
#[derive(Debug, Clone, Default)]
pub struct SmtpBehaviour {
    /// Recipients answered `550 5.1.1 … User unknown`.
    pub reject_rcpt: Vec<String>,
    /// Advertise `AUTH PLAIN LOGIN` and accept any PLAIN credentials.
    pub auth: bool,
    /// Advertise STARTTLS; with `tls` set the upgrade really happens, else it is refused (454).
    pub starttls: bool,
    /// The server's certificate and key.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// TLS from the first byte (port 465 style) instead of STARTTLS.
    pub implicit_tls: bool,
    /// Replies to the end of DATA, one per message in order; `250 …` once they run out.
    pub data_replies: VecDeque<String>,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    connections: Arc<Mutex<u32>>,
}

impl SmtpSink {
    pub fn start(behaviour: SmtpBehaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let behaviour = Arc::new(Mutex::new(behaviour));
        let (r, c) = (received.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                *c.lock().unwrap() += 1;
                let (r, b) = (r.clone(), behaviour.clone());
                std::thread::spawn(move || {
                    let _ = smtp_session(stream, &b, &r);
                });
            }
        });
        Self {
            addr,
            received,
            connections,
        }
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().unwrap().clone()
    }
    pub fn connections(&self) -> u32 {
        *self.connections.lock().unwrap()
    }
    /// `smtp://127.0.0.1:PORT?tls=none&from=…&to=…` with `extra` appended.
    pub fn url(&self, query: &str) -> String {
        format!("smtp://{}?tls=none&{query}", self.addr)
    }
}

/// The connection, plain or TLS: STARTTLS swaps one for the other mid-session.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Stream {
    fn upgrade(self, config: &Arc<rustls::ServerConfig>) -> std::io::Result<Self> {
        match self {
            Stream::Plain(tcp) => {
                let conn =
                    rustls::ServerConnection::new(config.clone()).map_err(std::io::Error::other)?;
                Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
            }
            tls => Ok(tls),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

fn reply(conn: &mut BufReader<Stream>, s: &str) -> std::io::Result<()> {
    let out = conn.get_mut();
    out.write_all(format!("{s}\r\n").as_bytes())?;
    out.flush()
}

fn smtp_session(
    stream: TcpStream,
    behaviour: &Mutex<SmtpBehaviour>,
    received: &Mutex<Vec<ReceivedMail>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let start = behaviour.lock().unwrap().clone();
    let mut stream = Stream::Plain(stream);
    let mut tls = false;
    if start.implicit_tls {
        stream = stream.upgrade(
            start
                .tls
                .as_ref()
                .expect("implicit TLS needs a certificate"),
        )?;
        tls = true;
    }
    let mut conn = BufReader::new(stream);
    reply(&mut conn, "220 sink.test ESMTP ready")?;
    let mut mail = ReceivedMail {
        tls,
        ..Default::default()
    };
    let mut line = String::new();
    loop {
        line.clear();
        if conn.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']).to_string();
        let upper = command.to_ascii_uppercase();
        let b = behaviour.lock().unwrap().clone();
        if upper.starts_with("EHLO ") {
            mail.helo = command[5..].to_string();
            let mut lines = vec!["250-sink.test greets you".to_string()];
            if b.auth {
                lines.push("250-AUTH PLAIN LOGIN".into());
            }
            if b.starttls && !mail.tls {
                lines.push("250-STARTTLS".into());
            }
            lines.push("250 8BITMIME".into());
            reply(&mut conn, &lines.join("\r\n"))?;
        } else if upper.starts_with("HELO ") {
            mail.helo = command[5..].to_string();
            reply(&mut conn, "250 sink.test")?;
        } else if upper == "STARTTLS" {
            let Some(config) = b.tls.as_ref().filter(|_| b.starttls && !mail.tls) else {
                reply(&mut conn, "454 4.7.0 TLS not available")?;
                continue;
            };
            reply(&mut conn, "220 2.0.0 Ready to start TLS")?;
            // RFC 3207 section 4.2: the client starts over (EHLO) on the protected channel.
            assert!(conn.buffer().is_empty(), "no pipelining across STARTTLS");
            conn = BufReader::new(conn.into_inner().upgrade(config)?);
            mail = ReceivedMail {
                tls: true,
                ..Default::default()
            };
        } else if upper.starts_with("AUTH PLAIN ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(command[11..].trim())
                .unwrap_or_default();
            let parts: Vec<_> = decoded.split(|b| *b == 0).collect();
            if parts.len() == 3 {
                mail.auth = Some((
                    String::from_utf8_lossy(parts[1]).into_owned(),
                    String::from_utf8_lossy(parts[2]).into_owned(),
                ));
                reply(&mut conn, "235 2.7.0 Authentication successful")?;
            } else {
                reply(&mut conn, "501 5.5.2 Cannot decode AUTH PLAIN")?;
            }
        } else if upper.starts_with("MAIL FROM:") {
            mail.mail_from = angle(&command[10..]);
            mail.rcpt_to.clear();
            reply(&mut conn, "250 2.1.0 Ok")?;
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = angle(&command[8..]);
            if b.reject_rcpt.iter().any(|r| r.eq_ignore_ascii_case(&rcpt)) {
                reply(
                    &mut conn,
                    &format!("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
                )?;
            } else {
                mail.rcpt_to.push(rcpt);
                reply(&mut conn, "250 2.1.5 Ok")?;
            }
        } else if upper == "DATA" {
            if mail.rcpt_to.is_empty() {
                reply(&mut conn, "503 5.5.1 No valid recipients")?;
                continue;
            }
            reply(&mut conn, "354 End data with <CR><LF>.<CR><LF>")?;
            let mut data = Vec::new();
            loop {
                let mut raw = Vec::new();
                if conn.read_until(b'\n', &mut raw)? == 0 {
                    return Ok(());
                }
                if raw == b".\r\n" {
                    break;
                }
                // RFC 5321 section 4.5.2: a leading dot was doubled by the client.
                if raw.starts_with(b"..") {
                    raw.remove(0);
                }
                data.extend_from_slice(&raw);
            }
            mail.data = data;
            let answer = behaviour
                .lock()
                .unwrap()
                .data_replies
                .pop_front()
                .unwrap_or_else(|| "250 2.0.0 Ok: queued".to_string());
            if answer.starts_with('2') {
                received.lock().unwrap().push(mail.clone());
            }
            reply(&mut conn, &answer)?;
        } else if upper == "RSET" {
            mail.mail_from.clear();
            mail.rcpt_to.clear();
            reply(&mut conn, "250 2.0.0 Ok")?;
        } else if upper == "NOOP" {
            reply(&mut conn, "250 2.0.0 Ok")?;
        } else if upper == "QUIT" {
            reply(&mut conn, "221 2.0.0 Bye")?;
            return Ok(());
        } else {
            reply(&mut conn, "502 5.5.2 Command not recognised")?;
        }
    }
}

/// A private CA and a server certificate for 127.0.0.1 signed by it.
pub struct TestPki {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Sink test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate().unwrap();
        let server_cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&server_key, &issuer)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
            )
            .unwrap();
        Self {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }
}

/// `<a@b> BODY=8BITMIME` → `a@b`.
fn angle(s: &str) -> String {
    let s = s.trim();
    match (s.find('<'), s.find('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].to_string(),
        _ => s.split_whitespace().next().unwrap_or_default().to_string(),
    }
}

/// One request the HTTP sink received.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A scripted answer: status, extra headers, body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }
    pub fn with_body(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

pub struct HttpSink {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<ReceivedRequest>>>,
}

impl HttpSink {
    /// Answers the scripted statuses in order, then 200 to everything.
    pub fn start(script: Vec<Answer>) -> Self {
        Self::start_with(script, None)
    }

    /// As [`Self::start`], speaking HTTPS with the given certificate.
    pub fn start_tls(script: Vec<Answer>, tls: Arc<rustls::ServerConfig>) -> Self {
        Self::start_with(script, Some(tls))
    }

    fn start_with(script: Vec<Answer>, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the HTTP sink");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let r = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                // One connection at a time keeps the order of answers the order of requests.
                let _ = stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .and_then(|()| match &tls {
                        Some(config) => Stream::Plain(stream).upgrade(config),
                        None => Ok(Stream::Plain(stream)),
                    })
                    .and_then(|s| http_exchange(s, &script, &r));
            }
        });
        Self { addr, requests }
    }

    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.requests.lock().unwrap().clone()
    }
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }
}

fn http_exchange(
    stream: Stream,
    script: &Mutex<VecDeque<Answer>>,
    requests: &Mutex<Vec<ReceivedRequest>>,
) -> std::io::Result<()> {
    let mut input = BufReader::new(stream);
    let mut line = String::new();
    input.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        input.read_line(&mut line)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let find = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if let Some(len) = find("content-length") {
        body.resize(len.parse().unwrap_or(0), 0);
        input.read_exact(&mut body)?;
    } else if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            input.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            input.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    requests.lock().unwrap().push(ReceivedRequest {
        method,
        path,
        headers,
        body,
    });
    let answer = script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| Answer::status(200));
    let mut response = format!(
        "HTTP/1.1 {} Scripted\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (n, v) in &answer.headers {
        response.push_str(&format!("{n}: {v}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&answer.body);
    let out = input.get_mut();
    out.write_all(response.as_bytes())?;
    out.flush()?;
    if let Stream::Tls(tls) = out {
        tls.conn.send_close_notify();
        tls.flush()?;
    }
    Ok(())
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A server that accepts connections and never says a word.
pub fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    addr
}
