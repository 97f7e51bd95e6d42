//! A tiny HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection, `Connection: close`, a routing
//! function from the request to a reply. No test reaches the internet.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the handler sees it (header names lower-cased).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    /// The body, when the request gave a Content-Length.
    pub body: Vec<u8>,
}

/// What to answer.
pub enum Body {
    Bytes(Vec<u8>),
    /// `len` bytes of `fill`, written in 64 KiB chunks (never held whole), with no Content-Length.
    Stream {
        fill: u8,
        len: u64,
    },
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Wait before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body.into()),
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running server: its base URL, and every request's path in order.
pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<String>>>,
    hits: Arc<AtomicUsize>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (l, h) = (Arc::clone(&log), Arc::clone(&hits));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log, hits) = (Arc::clone(&handler), Arc::clone(&l), Arc::clone(&h));
                std::thread::spawn(move || {
                    let _ = serve(stream, &*handler, &log, &hits);
                });
            }
        });
        Server { base, log, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Requests served so far to `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|p| *p == path).count()
    }

    pub fn total(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<String>>, hits: &AtomicUsize) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let method = line.split_whitespace().next().unwrap_or("GET").to_string();
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = vec![
        0;
        headers
            .get("content-length")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
            .min(1 << 20)
    ];
    std::io::Read::read_exact(&mut reader, &mut body)?;
    log.lock().unwrap().push(path.clone());
    hits.fetch_add(1, Ordering::SeqCst);
    let reply = handler(&Request {
        method,
        path,
        headers,
        body,
    });
    std::thread::sleep(reply.delay);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &reply.body {
        Body::Bytes(b) => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", b.len()));
            out.write_all(head.as_bytes())?;
            out.write_all(b)?;
        }
        Body::Stream { fill, len } => {
            head.push_str("\r\n");
            out.write_all(head.as_bytes())?;
            let chunk = vec![*fill; 64 * 1024];
            let mut left = *len;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                out.write_all(&chunk[..n])?;
                left -= n as u64;
            }
        }
    }
    out.flush()
}

/// `n` bytes of zeros, gzip-compressed (a gzip bomb when `n` is large).
pub fn gzip_zeros(n: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(zeros.len());
        enc.write_all(&zeros[..k]).unwrap();
        left -= k;
    }
    enc.finish().unwrap()
}

/// Gzip of `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}
