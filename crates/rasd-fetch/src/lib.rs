//! rasd-fetch: reading the web for `rasd watch` and `rasd ingest URL`, in process.
//!
//! - [`Client`]: an HTTP(S) client (ureq with rustls) with a connect and an overall timeout, a cap on the body
//!   size (checked on the declared length, then enforced while streaming, after gzip decoding, so that neither a
//!   100 MB page nor a gzip bomb is ever held in memory), a cap on redirects, and conditional GET
//!   ([`Validators`]: ETag and Last-Modified).
//! - [`charset`]: the text of a body: BOM, then the header's charset, then a `<meta>` or XML declaration, then
//!   UTF-8 when the bytes are valid UTF-8, windows-1256 otherwise (the common legacy charset of Arabic sites).
//! - [`feed`]: RSS, Atom and JSON feeds (feed-rs): [`parse_feed`] for fetched feeds (an item without a usable
//!   link is skipped, not the feed), [`read_feed`] for feeds read as documents from files (no link needed; a
//!   malformed item fails alone).
//! - [`article`]: an HTML page's title, byline, publication date, canonical URL, language and main text
//!   (scraper's DOM; entities decoded by the HTML parser); a page whose only text is navigation, headers,
//!   footers, asides or forms has none ([`article::has_main_text`]); [`article::fragment_text`] reads the HTML
//!   of a feed item.
//!
//! These are the only HTML and feed readers of rasd: `rasd_store::read` (files, bytes, standard input, uploads)
//! reads pages with [`extract_article`] and feeds with [`read_feed`].
//!
//! Every failure is an [`Error`] that names the URL and says what went wrong; nothing here panics on input.

pub mod article;
pub mod charset;
pub mod feed;

pub use article::{Article, extract_article, fragment_text, has_main_text};
pub use feed::{Entry, EntryFeed, FeedItem, ParsedFeed, parse_feed, read_feed};

use std::io::Read;
use std::time::Duration;

/// Why a fetch or a parse failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: not a valid http(s) URL")]
    BadUrl { url: String },
    #[error("{url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: timed out after {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: u32 },
    #[error("{url}: body larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: reading the body failed: {message}")]
    Body { url: String, message: String },
    #[error("charset: {0}")]
    Charset(String),
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("feed: {0}")]
    Feed(String),
}

impl Error {
    /// A failure of the server or the network that is worth retrying later (with backoff), as opposed to bad
    /// content.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Error::Timeout { .. } | Error::Transport { .. } | Error::Body { .. } => true,
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Limits of a [`Client`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for the whole request, body included.
    pub timeout: Duration,
    /// The largest body read (after gzip decoding).
    pub max_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    pub user_agent: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            user_agent: concat!("rasd/", env!("CARGO_PKG_VERSION"), " (+news monitor)").to_string(),
        }
    }
}

/// What a conditional GET sends back: the validators of the last response.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A response with its body read (within the size cap).
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL after redirects.
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
}

impl Response {
    /// The `charset` parameter of the Content-Type header.
    pub fn header_charset(&self) -> Option<&str> {
        self.content_type.as_deref().and_then(charset::from_content_type)
    }

    /// The body as text (see [`charset::decode`]).
    pub fn text(&self) -> Result<String> {
        charset::decode(&self.body, self.header_charset())
            .map(|d| d.text)
            .map_err(Error::Charset)
    }
}

/// The outcome of a conditional GET.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: nothing changed since the validators were issued.
    NotModified,
    Body(Response),
}

/// An HTTP(S) client with limits. Cheap to clone; connections are pooled.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    opts: Options,
}

impl Default for Client {
    fn default() -> Self {
        Client::new(Options::default())
    }
}

impl Client {
    pub fn new(opts: Options) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirects(opts.max_redirects)
            .user_agent(&opts.user_agent)
            .build();
        Client { agent, opts }
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// GET `url`; any status but 2xx is an error.
    pub fn get(&self, url: &str) -> Result<Response> {
        match self.get_if(url, &Validators::default())? {
            Fetched::Body(r) => Ok(r),
            Fetched::NotModified => Err(Error::Status {
                url: url.to_string(),
                status: 304,
            }),
        }
    }

    /// POSTs a JSON body (a webhook); any status but 2xx is an error. The response body is not read.
    pub fn post_json(&self, url: &str, body: &str) -> Result<u16> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::BadUrl { url: url.to_string() });
        }
        match self
            .agent
            .post(url)
            .set("Content-Type", "application/json")
            .send_string(body)
        {
            Ok(r) => Ok(r.status()),
            Err(ureq::Error::Status(status, _)) => Err(Error::Status {
                url: url.to_string(),
                status,
            }),
            Err(ureq::Error::Transport(t)) => Err(self.transport(url, &t)),
        }
    }

    /// A conditional GET: sends `If-None-Match` and `If-Modified-Since` from `validators`, and answers
    /// [`Fetched::NotModified`] on 304.
    pub fn get_if(&self, url: &str, validators: &Validators) -> Result<Fetched> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::BadUrl { url: url.to_string() });
        }
        let mut req = self.agent.get(url);
        if let Some(e) = &validators.etag {
            req = req.set("If-None-Match", e);
        }
        if let Some(m) = &validators.last_modified {
            req = req.set("If-Modified-Since", m);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(status, _)) => {
                return Err(Error::Status {
                    url: url.to_string(),
                    status,
                });
            }
            Err(ureq::Error::Transport(t)) => return Err(self.transport(url, &t)),
        };
        let status = resp.status();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if (300..400).contains(&status) {
            // A redirect ureq did not follow (no Location, or the cap reached).
            return Err(Error::TooManyRedirects {
                url: url.to_string(),
                limit: self.opts.max_redirects,
            });
        }
        if !(200..300).contains(&status) {
            return Err(Error::Status {
                url: url.to_string(),
                status,
            });
        }
        let limit = self.opts.max_bytes;
        let too_large = || Error::TooLarge {
            url: url.to_string(),
            limit,
        };
        // The declared length is of the encoded body; a gzip body is checked while it is decoded below.
        let encoded = resp
            .header("Content-Encoding")
            .is_some_and(|e| !e.eq_ignore_ascii_case("identity"));
        if !encoded
            && let Some(n) = resp.header("Content-Length").and_then(|v| v.trim().parse::<u64>().ok())
            && n > limit
        {
            return Err(too_large());
        }
        let final_url = resp.get_url().to_string();
        let content_type = resp.header("Content-Type").map(str::to_string);
        let validators = Validators {
            etag: resp.header("ETag").map(str::to_string),
            last_modified: resp.header("Last-Modified").map(str::to_string),
        };
        let mut body = Vec::new();
        // Streams, decoded: at most limit + 1 bytes are ever held.
        resp.into_reader()
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| self.io(url, &e))?;
        if body.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(Fetched::Body(Response {
            url: final_url,
            status,
            content_type,
            validators,
            body,
        }))
    }

    fn transport(&self, url: &str, t: &ureq::Transport) -> Error {
        let message = t.to_string();
        match t.kind() {
            ureq::ErrorKind::TooManyRedirects => Error::TooManyRedirects {
                url: url.to_string(),
                limit: self.opts.max_redirects,
            },
            ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => Error::BadUrl { url: url.to_string() },
            _ if is_timeout_message(&message) => Error::Timeout {
                url: url.to_string(),
                secs: self.opts.timeout.as_secs(),
            },
            _ => Error::Transport {
                url: url.to_string(),
                message,
            },
        }
    }

    fn io(&self, url: &str, e: &std::io::Error) -> Error {
        if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
            || is_timeout_message(&e.to_string())
        {
            return Error::Timeout {
                url: url.to_string(),
                secs: self.opts.timeout.as_secs(),
            };
        }
        Error::Body {
            url: url.to_string(),
            message: e.to_string(),
        }
    }
}

fn is_timeout_message(m: &str) -> bool {
    let m = m.to_ascii_lowercase();
    m.contains("timed out") || m.contains("timeout")
}
