//! The client against a local server on 127.0.0.1: limits, conditional GET, gzip, charsets.

mod support;
use support::server::{Body, Reply, Server, gzip, gzip_zeros};

use rasd_fetch::{Client, Error, Fetched, Options, Validators};
use std::time::{Duration, Instant};

fn client() -> Client {
    Client::new(Options {
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        max_bytes: 1024 * 1024,
        max_redirects: 5,
        ..Options::default()
    })
}

const PAGE: &str = "<html lang=\"ar\"><head><title>تقرير</title></head><body><article>\
<p>أفادت مصادر ميدانية بوقوع اشتباكات عنيفة في محيط المطار.</p></article></body></html>";

#[test]
fn conditional_get_and_validators() {
    let s = Server::start(|r| {
        if r.headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
            return Reply::status(304);
        }
        Reply::ok("text/html; charset=utf-8", PAGE)
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Sat, 14 Feb 2026 08:30:00 GMT")
    });
    let c = client();
    let Fetched::Body(r) = c.get_if(&s.url("/a"), &Validators::default()).unwrap() else {
        panic!("expected a body")
    };
    assert_eq!(r.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        r.validators.last_modified.as_deref(),
        Some("Sat, 14 Feb 2026 08:30:00 GMT")
    );
    assert_eq!(r.text().unwrap(), PAGE);
    assert!(matches!(
        c.get_if(&s.url("/a"), &r.validators).unwrap(),
        Fetched::NotModified
    ));
}

#[test]
fn gzip_is_decoded() {
    let s = Server::start(|_| Reply::ok("text/html", gzip(PAGE.as_bytes())).header("Content-Encoding", "gzip"));
    assert_eq!(client().get(&s.url("/")).unwrap().text().unwrap(), PAGE);
}

#[test]
fn windows_1256_page() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(PAGE);
    let bytes = bytes.into_owned();
    let s = Server::start(move |r| match r.path.as_str() {
        "/declared" => Reply::ok("text/html; charset=windows-1256", bytes.clone()),
        _ => Reply::ok("text/html", bytes.clone()),
    });
    assert_eq!(client().get(&s.url("/declared")).unwrap().text().unwrap(), PAGE);
    // Nothing declared and not UTF-8: windows-1256.
    assert_eq!(client().get(&s.url("/bare")).unwrap().text().unwrap(), PAGE);
}

#[test]
fn server_errors_are_transient() {
    let s = Server::start(|r| match r.path.as_str() {
        "/500" => Reply::status(500),
        _ => Reply::status(404),
    });
    let e = client().get(&s.url("/500")).unwrap_err();
    assert!(
        matches!(e, Error::Status { status: 500, .. }) && e.is_transient(),
        "{e}"
    );
    let e = client().get(&s.url("/404")).unwrap_err();
    assert!(!e.is_transient(), "{e}");
}

#[test]
fn slow_server_times_out() {
    let s = Server::start(|_| Reply::ok("text/html", PAGE).delay(Duration::from_secs(4)));
    let t = Instant::now();
    let e = client().get(&s.url("/slow")).unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    assert!(t.elapsed() < Duration::from_secs(4));
}

#[test]
fn a_100_mb_body_is_capped_while_streaming() {
    let s = Server::start(|_| Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: Body::Stream {
            fill: b'a',
            len: 100 * 1024 * 1024,
        },
        delay: Duration::ZERO,
    });
    let t = Instant::now();
    let e = client().get(&s.url("/big")).unwrap_err();
    assert!(matches!(e, Error::TooLarge { limit: 1048576, .. }), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "took {:?}", t.elapsed());
}

#[test]
fn declared_length_over_the_cap_is_refused_before_reading() {
    let s = Server::start(|_| Reply::ok("text/html", vec![b'a'; 2 * 1024 * 1024]));
    let e = client().get(&s.url("/")).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn gzip_bomb_is_capped() {
    let bomb = gzip_zeros(200 * 1024 * 1024);
    assert!(bomb.len() < 1024 * 1024);
    let s = Server::start(move |_| Reply::ok("text/html", bomb.clone()).header("Content-Encoding", "gzip"));
    let e = client().get(&s.url("/bomb")).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn endless_redirects_are_capped() {
    let s = Server::start(|r| {
        let n: u64 = r.path.trim_start_matches("/r/").parse().unwrap_or(0);
        Reply::status(302).header("Location", &format!("/r/{}", n + 1))
    });
    let e = client().get(&s.url("/r/0")).unwrap_err();
    assert!(matches!(e, Error::TooManyRedirects { limit: 5, .. }), "{e}");
    assert!(s.total() <= 7, "{} requests", s.total());
}

#[test]
fn invalid_charset_is_a_clear_error() {
    let s = Server::start(|_| Reply::ok("text/html; charset=x-unknown-8", vec![0xC7, 0xE1, 0xDE, 0xD5, 0xDD]));
    let e = client().get(&s.url("/")).unwrap().text().unwrap_err();
    assert!(e.to_string().contains("unknown charset \"x-unknown-8\""), "{e}");
}

#[test]
fn not_http_is_refused() {
    assert!(matches!(client().get("file:///etc/passwd"), Err(Error::BadUrl { .. })));
}
