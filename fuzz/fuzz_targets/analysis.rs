//! A capture through the whole analysis pass with the built-in matcher:
//! once without an inventory into a `Vec` sink, once with the demo site's
//! inventory, two flow-table shards and a tiny flow cap (so eviction runs)
//! into the JSON and text report sinks; and the first pass again as
//! `portmatrix check` runs it (two threads, read-ahead in small chunks),
//! which must give the same flows and report. Nothing may panic, the sink
//! must see every flow the summary counts, and the JSON report must parse.
#![no_main]

use std::io::{self, Cursor};
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, FlowConfig, FlowRecord, FlowSink, Options};
use portmatrix_report::json::JsonReport;
use portmatrix_report::text::TextFlows;
use portmatrix_rules::{Matcher, RuleSet, Site};

struct Setup {
    matcher: Matcher,
    site: Site,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rules = RuleSet::builtin().expect("built-in rules load");
        let site = Site::parse(
            Path::new("fixtures/demo/site.toml"),
            include_str!("../../fixtures/demo/site.toml"),
            &rules,
        )
        .expect("demo site loads");
        Setup {
            matcher: Matcher::new(&rules),
            site,
        }
    })
}

/// Hands every flow to the JSON report and the text report.
struct Both {
    json: JsonReport<Vec<u8>>,
    text: TextFlows,
    flows: u64,
}

impl FlowSink for Both {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        self.flows += 1;
        self.text.flow(record.clone())?;
        self.json.flow(record)
    }
}

fuzz_target!(|data: &[u8]| {
    let s = setup();

    let Ok(mut reader) = CaptureReader::new(Cursor::new(data)) else {
        return;
    };
    let pass = Analysis::new("fuzz", Options::default(), &s.matcher, None, Vec::new());
    let done = pass.run(&mut reader).expect("a Vec sink does not fail");
    assert_eq!(
        done.report.summary.flows,
        done.sink.len() as u64,
        "the summary counts other flows than the sink saw"
    );

    // The same pass as `portmatrix check` runs it: two threads, and the
    // reader's read-ahead in small chunks. Same flows, same report.
    let mut reader = CaptureReader::new(Cursor::new(data.to_vec())).expect("opened once already");
    reader
        .start_read_ahead_with(64 + data.len() % 193)
        .expect("the read-ahead thread starts");
    let pass = Analysis::new("fuzz", Options::default(), &s.matcher, None, Vec::new());
    let piped = pass
        .run_parallel(&mut reader)
        .expect("a Vec sink does not fail");
    assert_eq!(
        serde_json::to_string(&done.sink).expect("serialises"),
        serde_json::to_string(&piped.sink).expect("serialises"),
        "the pipeline gives other flows"
    );
    assert_eq!(
        serde_json::to_string(&done.report).expect("serialises"),
        serde_json::to_string(&piped.report).expect("serialises"),
        "the pipeline gives another report"
    );

    let mut reader = CaptureReader::new(Cursor::new(data)).expect("opened once already");
    let options = Options {
        flows: FlowConfig {
            tcp_timeout_ns: 2_000_000_000,
            udp_timeout_ns: 1_000_000_000,
            other_timeout_ns: 1_000_000_000,
            max_flows: 3,
        },
        shards: 2,
        ..Options::default()
    };
    let mut json = JsonReport::new(Vec::new()).expect("writing to a Vec");
    json.begin_input().expect("writing to a Vec");
    let sink = Both {
        json,
        text: TextFlows::default(),
        flows: 0,
    };
    let pass = Analysis::new("fuzz", options, &s.matcher, Some(&s.site), sink);
    let done = pass
        .run(&mut reader)
        .expect("the report sinks write to memory");
    let Both {
        mut json,
        text,
        flows,
    } = done.sink;
    assert_eq!(done.report.summary.flows, flows, "flows seen by the sink");
    json.end_input(&done.report).expect("writing to a Vec");
    let bytes = json.finish().expect("writing to a Vec");
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        panic!("the JSON report does not parse: {e}");
    }
    let mut out = Vec::new();
    portmatrix_report::text::write_report(&mut out, &[(done.report, text)])
        .expect("writing to a Vec");
});
