//! `rasd serve`: the binary serves the API on 127.0.0.1 and refuses what it cannot serve (the API itself is
//! tested in crates/rasd-serve/tests).

mod serve_child;

use assert_cmd::Command;
use std::io::{Read, Write};
use std::process::Stdio;

fn rasd() -> Command {
    Command::cargo_bin("rasd").expect("the rasd binary")
}

#[test]
fn serve_answers_on_127_0_0_1_and_refuses_a_missing_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rasd.db");
    rasd().args(["demo", "--db"]).arg(&db).assert().success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rasd"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rasd serve");
    let (line, addr) = serve_child::address(&mut child);
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    assert!(line.contains("writes off"), "{line}");
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    write!(
        s,
        "GET /api/sources HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("answer");
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"sources\""), "{answer}");

    let missing = dir.path().join("absent.db");
    rasd()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no rasd database here"));
    rasd()
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "short", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--token"));
}
