//! The HTML report (`--format html`) rendered by a real browser: headless
//! Chromium loads the page, and the numbers in its DOM (marked with `data-`
//! attributes, docs/report-format.md) must be those of the JSON report of the
//! same run. Skipped with a message where Chromium is not installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::corpus::corpus_dir;
use crate::util::{fixtures_dir, portmatrix};

/// Chromium on `PATH` (Debian's `chromium`, or `chromium-browser`).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    eprintln!("skipping: chromium is not installed (Debian: apt-get install chromium)");
    None
}

/// Runs headless Chromium on `page` with `extra` arguments; its standard output.
fn run_chromium(browser: &Path, page: &Path, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile directory");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}

/// `portmatrix check --format FORMAT ARGS...`: standard output.
fn check(format: &str, args: &[&Path]) -> Vec<u8> {
    let out = portmatrix()
        .args(["check", "--format", format])
        .args(args)
        .output()
        .expect("run portmatrix");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "portmatrix check --format {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every `ATTR="value">text<` in the DOM, as (value, text).
fn marked(dom: &str, attr: &str) -> Vec<(String, String)> {
    let pat = format!(" {attr}=\"");
    let mut found = Vec::new();
    for (i, _) in dom.match_indices(&pat) {
        let rest = &dom[i + pat.len()..];
        let value = &rest[..rest.find('"').expect("closing quote")];
        let tag_end = rest.find('>').expect("end of tag");
        let text_part = &rest[tag_end + 1..];
        let text = &text_part[..text_part.find('<').unwrap_or(text_part.len())];
        found.push((value.to_string(), text.to_string()));
    }
    found
}

/// The one number marked `ATTR="value"`.
fn number(dom: &str, attr: &str, value: &str) -> u64 {
    let hits: Vec<_> = marked(dom, attr)
        .into_iter()
        .filter(|(v, _)| v == value)
        .collect();
    assert_eq!(hits.len(), 1, "{attr}={value:?} should be marked once");
    hits[0]
        .1
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{attr}={value:?} shows {:?}: {e}", hits[0].1))
}

/// Writes the HTML and JSON reports of `args`, renders the HTML in
/// Chromium; (DOM, JSON document, page path, temporary directory).
fn render(browser: &Path, args: &[&Path]) -> (String, Value, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = dir.path().join("report.html");
    std::fs::write(&page, check("html", args)).expect("write the page");
    let json: Value = serde_json::from_slice(&check("json", args)).expect("JSON report");
    let dom = run_chromium(browser, &page, &["--dump-dom"]);
    (dom, json, page, dir)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("{v} is not a count"))
}

/// The numbers every report shows: verdicts, flows, packets, read errors.
fn assert_summary_numbers(dom: &str, json: &Value) {
    let input = &json["inputs"][0];
    for (verdict, n) in input["summary"]["verdicts"].as_object().expect("verdicts") {
        assert_eq!(
            number(dom, "data-verdict", verdict),
            u(n),
            "{verdict} flows"
        );
    }
    for (verdict, n) in json["summary"]["verdicts"].as_object().expect("totals") {
        assert_eq!(
            number(dom, "data-total-verdict", verdict),
            u(n),
            "total {verdict}"
        );
    }
    assert_eq!(
        number(dom, "data-total", "flows"),
        u(&json["summary"]["flows"])
    );
    assert_eq!(
        number(dom, "data-total", "packets"),
        u(&json["summary"]["packets"])
    );
    assert_eq!(
        number(dom, "data-total", "errors"),
        u(&json["summary"]["errors"])
    );
    assert_eq!(number(dom, "data-summary", "packets"), u(&input["packets"]));
    assert_eq!(number(dom, "data-summary", "bytes"), u(&input["bytes"]));
    assert_eq!(
        number(dom, "data-summary", "error_count"),
        u(&input["error_count"])
    );
    // Every flow is in one cell of the device matrix.
    let in_cells: u64 = marked(dom, "data-cell-flows")
        .iter()
        .map(|(v, _)| v.parse::<u64>().expect("cell count"))
        .sum();
    assert_eq!(
        in_cells,
        u(&input["summary"]["flows"]),
        "flows in the matrix"
    );
}

#[test]
fn demo_report_shows_the_numbers_of_the_json_report() {
    let Some(browser) = chromium() else { return };
    let demo = fixtures_dir().join("demo");
    let capture = demo.join("room.pcapng");
    let site = demo.join("site.toml");
    let args: [&Path; 3] = [&capture, Path::new("--site"), &site];
    let (dom, json, page, dir) = render(&browser, &args);
    assert_summary_numbers(&dom, &json);
    let input = &json["inputs"][0];

    // Each flow that is not documented is listed, with the JSON's verdict.
    let flows = input["flows"].as_array().expect("flows");
    let expected: BTreeMap<u64, &str> = flows
        .iter()
        .filter(|f| f["verdict"] != "documented")
        .map(|f| (u(&f["id"]), f["verdict"].as_str().expect("verdict")))
        .collect();
    assert!(!expected.is_empty(), "the demo has flows to act on");
    let ids = marked(&dom, "data-flow-id");
    let verdicts = marked(&dom, "data-flow-verdict");
    let shown: BTreeMap<u64, String> = ids
        .iter()
        .zip(&verdicts)
        .map(|((id, _), (v, _))| (id.parse().expect("flow id"), v.clone()))
        .filter(|(_, v)| v != "documented")
        .collect();
    let expected: BTreeMap<u64, String> = expected
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    assert_eq!(shown, expected);

    // Each rule a non-documented flow names is quoted from its document.
    let rules: BTreeSet<String> = marked(&dom, "data-rule").into_iter().map(|x| x.0).collect();
    for f in flows.iter().filter(|f| f["verdict"] != "documented") {
        for id in f["rule_ids"].as_array().expect("rule_ids") {
            assert!(rules.contains(id.as_str().expect("id")), "rule {id} quoted");
        }
    }
    assert!(dom.contains("class=\"quote\""), "provenance quotes shown");
    assert_eq!(
        number(
            &dom,
            "data-missing",
            &input["summary"]["missing"]
                .as_array()
                .expect("missing")
                .len()
                .to_string()
        ),
        input["summary"]["missing"]
            .as_array()
            .expect("missing")
            .len() as u64
    );

    // The page fetches nothing and draws its charts inline.
    let html = std::fs::read_to_string(&page).expect("read the page");
    for remote in [
        "http://", "https://", " src=\"", " href=\"", "<link", "@import", "url(",
    ] {
        assert!(!html.contains(remote), "the page must not load {remote:?}");
    }
    assert!(html.contains("<svg"), "inline SVG charts");

    // A screenshot of the page.
    let shot = dir.path().join("report.png");
    run_chromium(
        &browser,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot");
    assert!(png.len() > 10_000, "the screenshot shows something");
}

#[test]
fn rtp_health_matches_the_json_streams() {
    let Some(browser) = chromium() else { return };
    let capture = fixtures_dir().join("media").join("rtp.pcap");
    let (dom, json, _page, _dir) = render(&browser, &[&capture]);
    assert_summary_numbers(&dom, &json);
    let streams: Vec<&Value> = json["inputs"][0]["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .flat_map(|f| f["rtp"].as_array().into_iter().flatten())
        .collect();
    assert!(!streams.is_empty(), "the fixture has RTP streams");
    assert_eq!(
        number(&dom, "data-rtp-streams", &streams.len().to_string()),
        streams.len() as u64
    );
    // Rows in DOM order: data-rtp-ssrc, then its packets and lost cells.
    let ssrcs = marked(&dom, "data-rtp-ssrc");
    let cells = marked(&dom, "data-rtp");
    assert_eq!(ssrcs.len(), streams.len(), "one row per stream");
    let mut shown: Vec<(String, String, String)> = ssrcs
        .iter()
        .zip(cells.chunks(2))
        .map(|((ssrc, _), pair)| {
            assert_eq!(
                (pair[0].0.as_str(), pair[1].0.as_str()),
                ("packets", "lost")
            );
            (ssrc.clone(), pair[0].1.clone(), pair[1].1.clone())
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = streams
        .iter()
        .map(|s| {
            (
                format!("0x{:08x}", u(&s["ssrc"])),
                u(&s["packets"]).to_string(),
                s["lost"].as_i64().expect("lost").to_string(),
            )
        })
        .collect();
    shown.sort();
    expected.sort();
    assert_eq!(shown, expected);
}

#[test]
fn ptp_health_matches_the_json_report() {
    let Some(browser) = chromium() else { return };
    let mut captures = vec![fixtures_dir().join("ptp").join("mixed.pcap")];
    if let Some(corpus) = corpus_dir() {
        let p = corpus.join("files/tcpdump/ptp_ethernet.pcap");
        if p.is_file() {
            captures.push(p);
        }
    }
    for capture in captures {
        let (dom, json, _page, _dir) = render(&browser, &[&capture]);
        assert_summary_numbers(&dom, &json);
        let input = &json["inputs"][0];
        let ptp = &input["ptp"];
        assert!(ptp.is_object(), "{} has PTP", capture.display());
        assert_eq!(number(&dom, "data-ptp", "messages"), u(&ptp["messages"]));
        assert_eq!(
            number(&dom, "data-ptp", "domains"),
            ptp["domains"].as_array().expect("domains").len() as u64
        );
        let ptp_flows = input["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .filter(|f| f.get("ptp").is_some())
            .count();
        assert_eq!(
            number(&dom, "data-ptp-flows", &ptp_flows.to_string()),
            ptp_flows as u64
        );
        let findings: BTreeSet<String> = marked(&dom, "data-ptp-finding")
            .into_iter()
            .map(|x| x.0)
            .collect();
        let expected: BTreeSet<String> = ptp["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["kind"].as_str().expect("kind").to_string())
            .collect();
        assert_eq!(findings, expected);
    }
}

#[test]
fn hostile_file_names_stay_text_in_the_browser() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    // No `/` in a file name: the script element is left unclosed.
    let name =
        "x<img src=x onerror=alert(1)>\u{202e}\"'<script>alert(2)<svg onload=alert(3)>.pcapng";
    let hostile = dir.path().join(name);
    std::fs::copy(fixtures_dir().join("demo").join("room.pcapng"), &hostile).expect("copy");
    let (dom, json, _page, _dir) = render(&browser, &[&hostile]);
    assert_summary_numbers(&dom, &json);
    assert!(!dom.contains("<img"), "no element from the file name");
    assert!(
        !dom.contains("<svg onload"),
        "no element from the file name"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        !dom.contains('\u{202e}'),
        "no bidi control reaches the page"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the name is shown as text"
    );
}
