//! `rasd serve` started by a test: the address it listens on, read from the first line it prints
//! ("… http://127.0.0.1:PORT/ …"), with `--addr 127.0.0.1:0` so that every test gets a free port.

use std::io::{BufRead, BufReader};
use std::process::Child;

/// Reads the server's first stdout line; gives the line and the `HOST:PORT` in it. The child's stdout must be
/// piped; it is taken.
pub fn address(child: &mut Child) -> (String, String) {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (line, addr)
}
