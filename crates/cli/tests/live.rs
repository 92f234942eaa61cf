//! `portmatrix live` end to end on the loopback interface: real packets
//! sent with the standard library's sockets, captured by libpcap.
//! Needs permission to capture (CI runs as root); skips with a message otherwise.

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portmatrix"))
}

/// Whether this process may capture on `lo`.
fn can_capture() -> bool {
    let out = bin()
        .args(["live", "lo", "--duration", "0.2", "--format", "json"])
        .output()
        .expect("run portmatrix");
    if out.status.success() {
        true
    } else {
        eprintln!(
            "skipping live capture test: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        false
    }
}

#[test]
fn live_captures_udp_on_loopback_and_writes_pcapng() {
    if !can_capture() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let saved = dir.path().join("live.pcapng");
    // A port of our own so other loopback traffic does not match the filter.
    let receiver = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = receiver.local_addr().expect("addr").port();
    let child = bin()
        .args([
            "live",
            "lo",
            "--duration",
            "3",
            "--format",
            "json",
            "--filter",
        ])
        .arg(format!("udp port {port}"))
        .arg("--write")
        .arg(&saved)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn live");
    // Give libpcap time to open the interface, then send 7 datagrams.
    thread::sleep(Duration::from_millis(1200));
    let sender = UdpSocket::bind("127.0.0.1:0").expect("bind sender");
    for i in 0..7u8 {
        sender.send_to(&[i; 40], ("127.0.0.1", port)).expect("send");
        thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("wait live");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "live output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let input = &doc["inputs"][0];
    assert_eq!(
        input["packets"],
        7,
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(input["protocols"]["l4"]["udp"], 7);
    let flows = input["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), 1, "{flows:?}");
    assert_eq!(flows[0]["dst_port"], port);
    assert_eq!(flows[0]["packets_fwd"], 7);
    // 7 × (14 Ethernet + 20 IPv4 + 8 UDP + 40 data) bytes on the wire.
    assert_eq!(input["bytes"], 7 * 82);

    // What --write saved reads back with the same packets.
    let back = bin()
        .args(["check", "--format", "json"])
        .arg(&saved)
        .output()
        .expect("check saved");
    let doc: serde_json::Value = serde_json::from_slice(&back.stdout).expect("json");
    assert_eq!(doc["inputs"][0]["format"], "pcapng");
    assert_eq!(doc["inputs"][0]["packets"], 7);
}

#[test]
fn live_failures_are_one_line_and_exit_2() {
    let out = bin()
        .args(["live", "no-such-interface0", "--duration", "1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such interface"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    if !can_capture() {
        return;
    }
    let out = bin()
        .args(["live", "lo", "--duration", "1", "--filter", "udp port"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid capture filter"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// The capture's interface disappears mid-capture (a USB adapter pulled, a
/// VLAN interface removed): one clear line, exit 2, and what was captured so
/// far is still reported.
#[test]
fn live_interface_that_disappears_exits_2_with_the_capture_so_far() {
    if !can_capture() {
        return;
    }
    let name = format!("pmgone{}", std::process::id() % 10_000);
    let peer = format!("{name}p");
    let made = Command::new("ip")
        .args(["link", "add", &name, "type", "veth", "peer", "name", &peer])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: cannot create a veth pair here");
        return;
    }
    for dev in [&name, &peer] {
        let _ = Command::new("ip").args(["link", "set", dev, "up"]).status();
    }
    let child = bin()
        .args(["live", &name, "--duration", "20", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn live");
    thread::sleep(Duration::from_millis(1500));
    let _ = Command::new("ip").args(["link", "del", &name]).status();
    let out = child.wait_with_output().expect("wait live");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("went down") || err.contains("disappeared"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report is JSON");
    assert_eq!(doc["inputs"][0]["format"], "live");
    assert!(doc["inputs"][0]["packets"].is_u64());
}

/// Without permission to capture: one clear line and exit 2. Run as the
/// unprivileged user `nobody` (needs root to switch; skips otherwise).
#[test]
fn live_without_permission_is_one_line_and_exit_2() {
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipping: cannot switch to an unprivileged user here");
        return;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_portmatrix"))
        .args(["live", "lo", "--duration", "1"])
        .output()
        .expect("run as nobody");
    if out.status.code() == Some(126) || out.status.code() == Some(127) {
        eprintln!("skipping: the test binary is not executable by nobody");
        return;
    }
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no permission"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
