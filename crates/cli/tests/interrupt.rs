//! `check` ended by SIGINT, SIGTERM or SIGHUP (issue 9 item 2): reading
//! stops, the analysis of what was read is finished, the whole report is
//! written and marked as interrupted, and the exit status is 128 + the
//! signal's number (`docs/verdicts.md`).
//!
//! The capture comes through a pipe that the test keeps open, as from
//! `tcpdump -w - | portmatrix check -`: without the handling, the signal
//! killed the process and the report was lost. The test sends the signal
//! only once the pipe is empty (FIONREAD says 0 bytes wait in it), so every
//! packet was read by `portmatrix` before the signal, and the report must
//! hold all of them.

#![cfg(unix)]

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::fixtures_dir;

/// Longest the test waits for the binary (debug build, busy machine).
const BOUND: Duration = Duration::from_secs(120);

/// The packets of `fixtures/demo/room.pcapng` (`fixtures/README.md`).
const ROOM_PACKETS: u64 = 411;

fn spawn(format: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_portmatrix"))
        .args(["check", "--format", format, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn portmatrix")
}

/// Writes the room capture into the child's standard input, keeps the pipe
/// open, and waits until the child has read every byte of it.
fn feed_and_wait_until_read(child: &mut Child) -> std::process::ChildStdin {
    let bytes = std::fs::read(fixtures_dir().join("demo/room.pcapng")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&bytes).unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    while rustix::io::ioctl_fionread(&stdin).unwrap() > 0 {
        assert!(started.elapsed() < BOUND, "the capture was not read");
        std::thread::sleep(Duration::from_millis(20));
    }
    stdin
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {name}");
}

/// Waits for the child (bounded), returning exit code, stdout, stderr.
fn finish(mut child: Child) -> (Option<i32>, Vec<u8>, String) {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            panic!("portmatrix did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn uninterrupted_report() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_portmatrix"))
        .args(["check", "--format", "json"])
        .arg(fixtures_dir().join("demo/room.pcapng"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_signal_during_check_gives_the_whole_report_and_its_status() {
    let whole = uninterrupted_report();
    assert_eq!(whole["interrupted"], Value::Null);
    // POSIX signal numbers: SIGHUP 1, SIGINT 2, SIGTERM 15.
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let mut child = spawn("json");
        let stdin = feed_and_wait_until_read(&mut child);
        signal(&child, name);
        let (code, stdout, stderr) = finish(child);
        drop(stdin);
        assert_eq!(code, Some(128 + number), "SIG{name}: {stderr}");
        let doc: Value = serde_json::from_slice(&stdout)
            .unwrap_or_else(|e| panic!("SIG{name}: the report is not JSON ({e})"));
        assert_eq!(doc["interrupted"], format!("SIG{name}"));
        let input = &doc["inputs"][0];
        assert_eq!(input["path"], "-");
        assert_eq!(input["packets"], ROOM_PACKETS, "SIG{name}");
        // The end of input made by the stop is not damage of the capture.
        assert_eq!(input["errors"], Value::Array(vec![]), "SIG{name}");
        // Every flow, as a run over the file gives them.
        assert_eq!(input["flows"], whole["inputs"][0]["flows"], "SIG{name}");
        assert_eq!(input["summary"], whole["inputs"][0]["summary"], "SIG{name}");
        assert_eq!(doc["summary"], whole["summary"], "SIG{name}");
        assert!(
            stderr.contains(&format!("interrupted by SIG{name}")),
            "{stderr}"
        );
    }
}

#[test]
fn the_text_report_says_it_was_interrupted() {
    let mut child = spawn("text");
    let stdin = feed_and_wait_until_read(&mut child);
    signal(&child, "TERM");
    let (code, stdout, stderr) = finish(child);
    drop(stdin);
    assert_eq!(code, Some(143), "{stderr}");
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.contains(&format!("  packets      {ROOM_PACKETS}\n")),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\ninterrupted by SIGTERM: reading stopped; the report covers what was read before it\n"
        ),
        "{text}"
    );
}

/// A signal before an input's header is complete: the input is not read at
/// all (not reported as unreadable), and the report is still a valid,
/// marked document.
#[test]
fn a_signal_before_the_header_gives_an_empty_marked_report() {
    let mut child = spawn("json");
    let mut stdin = child.stdin.take().unwrap();
    // One byte of a pcapng header: the child has read it once the pipe is
    // empty, so its handlers are in place.
    stdin.write_all(&[0x0a]).unwrap();
    let started = Instant::now();
    while rustix::io::ioctl_fionread(&stdin).unwrap() > 0 {
        assert!(started.elapsed() < BOUND, "the byte was not read");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, "TERM");
    let (code, stdout, stderr) = finish(child);
    drop(stdin);
    assert_eq!(code, Some(143), "{stderr}");
    let doc: Value = serde_json::from_slice(&stdout).expect("JSON");
    assert_eq!(doc["interrupted"], "SIGTERM");
    assert_eq!(doc["inputs"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["inputs"], 0);
}

fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo");
}

fn spawn_on(path: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_portmatrix"))
        .args(["check", "--format", "json"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn portmatrix")
}

/// Whether process `pid` has `path` open (a link in /proc/PID/fd).
fn has_open(pid: u32, path: &std::path::Path) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.flatten()
                .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l == path))
        })
        .unwrap_or(false)
}

/// A FIFO given by name (`mkfifo f; tcpdump -w f & portmatrix check f`):
/// open() of a FIFO waits for a writer, and a signal did not end that
/// wait. Here the signal comes while no writer has come yet.
#[test]
fn a_signal_while_a_fifo_waits_for_its_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("capture.fifo");
    mkfifo(&fifo);
    let child = spawn_on(&fifo);
    // The handlers are installed before the input is opened.
    let started = Instant::now();
    while !has_open(child.id(), &fifo) {
        assert!(started.elapsed() < BOUND, "the FIFO was not opened");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, "INT");
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, Some(130), "{stderr}");
    let doc: Value = serde_json::from_slice(&stdout).expect("JSON");
    assert_eq!(doc["interrupted"], "SIGINT");
    assert_eq!(doc["inputs"], Value::Array(vec![]));
}

/// A FIFO whose writer stays open: as with a pipe on standard input, every
/// packet written before the signal is in the report.
#[test]
fn a_signal_while_a_fifo_writer_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("capture.fifo");
    mkfifo(&fifo);
    let child = spawn_on(&fifo);
    // Opening for writing waits until the child has opened it for reading.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let bytes = std::fs::read(fixtures_dir().join("demo/room.pcapng")).unwrap();
    writer.write_all(&bytes).unwrap();
    let started = Instant::now();
    while rustix::io::ioctl_fionread(&writer).unwrap() > 0 {
        assert!(started.elapsed() < BOUND, "the capture was not read");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, "HUP");
    let (code, stdout, stderr) = finish(child);
    drop(writer);
    assert_eq!(code, Some(129), "{stderr}");
    let doc: Value = serde_json::from_slice(&stdout).expect("JSON");
    assert_eq!(doc["interrupted"], "SIGHUP");
    assert_eq!(doc["inputs"][0]["packets"], ROOM_PACKETS);
    assert_eq!(doc["inputs"][0]["errors"], Value::Array(vec![]));
    // Without a signal, a FIFO reads to its end as before.
    let child = spawn_on(&fifo);
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writer.write_all(&bytes).unwrap();
    drop(writer);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, Some(1), "{stderr}");
    let doc: Value = serde_json::from_slice(&stdout).expect("JSON");
    assert_eq!(doc["interrupted"], Value::Null);
    assert_eq!(doc["inputs"][0]["packets"], ROOM_PACKETS);
}
